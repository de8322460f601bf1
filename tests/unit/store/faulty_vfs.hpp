// A SQLite VFS for tests that behaves like the default one except for fsync, which can be made to
// wait (so that a test can act while a commit is in flight) and to fail with SQLITE_IOERR_FSYNC
// (so that a test can make a COMMIT fail the way a dying disk makes it fail).
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

namespace pingyi::store::test {

class faulty_vfs {
 public:
  static constexpr const char* name = "pingyi-faulty";

  // Registers the VFS (once) and returns its controls.
  static faulty_vfs& instance() {
    static faulty_vfs v;
    return v;
  }

  // Every fsync from now on fails.
  void fail_syncs(bool on) { fail_.store(on); }

  // Every fsync from now on waits until release(); wait_until_held() returns once one does.
  void hold_syncs() {
    std::lock_guard lk(mu_);
    hold_ = true;
    held_ = false;
  }
  void wait_until_held() {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return held_; });
  }
  void release() {
    {
      std::lock_guard lk(mu_);
      hold_ = false;
    }
    cv_.notify_all();
  }

  faulty_vfs(const faulty_vfs&) = delete;
  faulty_vfs& operator=(const faulty_vfs&) = delete;

 private:
  struct file {
    sqlite3_file base;
    // The default VFS's file follows this struct in the same allocation.
    sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  };

  static sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<file*>(f)->real(); }
  static sqlite3_vfs* real_vfs(sqlite3_vfs* v) { return static_cast<sqlite3_vfs*>(v->pAppData); }

  faulty_vfs() {
    sqlite3_vfs* def = sqlite3_vfs_find(nullptr);
    if (def == nullptr) throw std::runtime_error("no default SQLite VFS");
    io_ = sqlite3_io_methods{};
    io_.iVersion = 3;
    io_.xClose = [](sqlite3_file* f) { return real(f)->pMethods->xClose(real(f)); };
    io_.xRead = [](sqlite3_file* f, void* b, int n, sqlite3_int64 o) {
      return real(f)->pMethods->xRead(real(f), b, n, o);
    };
    io_.xWrite = [](sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
      return real(f)->pMethods->xWrite(real(f), b, n, o);
    };
    io_.xTruncate = [](sqlite3_file* f, sqlite3_int64 n) { return real(f)->pMethods->xTruncate(real(f), n); };
    io_.xSync = [](sqlite3_file* f, int flags) { return instance().sync(real(f), flags); };
    io_.xFileSize = [](sqlite3_file* f, sqlite3_int64* n) { return real(f)->pMethods->xFileSize(real(f), n); };
    io_.xLock = [](sqlite3_file* f, int l) { return real(f)->pMethods->xLock(real(f), l); };
    io_.xUnlock = [](sqlite3_file* f, int l) { return real(f)->pMethods->xUnlock(real(f), l); };
    io_.xCheckReservedLock = [](sqlite3_file* f, int* r) { return real(f)->pMethods->xCheckReservedLock(real(f), r); };
    io_.xFileControl = [](sqlite3_file* f, int op, void* a) { return real(f)->pMethods->xFileControl(real(f), op, a); };
    io_.xSectorSize = [](sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); };
    io_.xDeviceCharacteristics = [](sqlite3_file* f) { return real(f)->pMethods->xDeviceCharacteristics(real(f)); };
    io_.xShmMap = [](sqlite3_file* f, int pg, int sz, int ext, void volatile** p) {
      return real(f)->pMethods->xShmMap(real(f), pg, sz, ext, p);
    };
    io_.xShmLock = [](sqlite3_file* f, int off, int n, int flags) {
      return real(f)->pMethods->xShmLock(real(f), off, n, flags);
    };
    io_.xShmBarrier = [](sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); };
    io_.xShmUnmap = [](sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); };
    io_.xFetch = [](sqlite3_file* f, sqlite3_int64 o, int n, void** p) {
      return real(f)->pMethods->xFetch(real(f), o, n, p);
    };
    io_.xUnfetch = [](sqlite3_file* f, sqlite3_int64 o, void* p) { return real(f)->pMethods->xUnfetch(real(f), o, p); };

    vfs_ = sqlite3_vfs{};
    vfs_.iVersion = 2;
    vfs_.szOsFile = static_cast<int>(sizeof(file)) + def->szOsFile;
    vfs_.mxPathname = def->mxPathname;
    vfs_.zName = name;
    vfs_.pAppData = def;
    vfs_.xOpen = [](sqlite3_vfs* v, const char* path, sqlite3_file* f, int flags, int* out) {
      f->pMethods = nullptr;
      const int rc = real_vfs(v)->xOpen(real_vfs(v), path, real(f), flags, out);
      // SQLite closes a file whose pMethods is set even when opening it failed.
      if (real(f)->pMethods != nullptr) f->pMethods = &instance().io_;
      return rc;
    };
    vfs_.xDelete = [](sqlite3_vfs* v, const char* p, int sync) { return real_vfs(v)->xDelete(real_vfs(v), p, sync); };
    vfs_.xAccess = [](sqlite3_vfs* v, const char* p, int flags, int* out) {
      return real_vfs(v)->xAccess(real_vfs(v), p, flags, out);
    };
    vfs_.xFullPathname = [](sqlite3_vfs* v, const char* p, int n, char* out) {
      return real_vfs(v)->xFullPathname(real_vfs(v), p, n, out);
    };
    vfs_.xDlOpen = [](sqlite3_vfs* v, const char* p) { return real_vfs(v)->xDlOpen(real_vfs(v), p); };
    vfs_.xDlError = [](sqlite3_vfs* v, int n, char* out) { real_vfs(v)->xDlError(real_vfs(v), n, out); };
    vfs_.xDlSym = [](sqlite3_vfs* v, void* h, const char* s) { return real_vfs(v)->xDlSym(real_vfs(v), h, s); };
    vfs_.xDlClose = [](sqlite3_vfs* v, void* h) { real_vfs(v)->xDlClose(real_vfs(v), h); };
    vfs_.xRandomness = [](sqlite3_vfs* v, int n, char* out) { return real_vfs(v)->xRandomness(real_vfs(v), n, out); };
    vfs_.xSleep = [](sqlite3_vfs* v, int us) { return real_vfs(v)->xSleep(real_vfs(v), us); };
    vfs_.xCurrentTime = [](sqlite3_vfs* v, double* t) { return real_vfs(v)->xCurrentTime(real_vfs(v), t); };
    vfs_.xGetLastError = [](sqlite3_vfs* v, int n, char* out) {
      return real_vfs(v)->xGetLastError(real_vfs(v), n, out);
    };
    vfs_.xCurrentTimeInt64 = [](sqlite3_vfs* v, sqlite3_int64* t) {
      return real_vfs(v)->xCurrentTimeInt64(real_vfs(v), t);
    };
    if (sqlite3_vfs_register(&vfs_, 0) != SQLITE_OK) throw std::runtime_error("cannot register the faulty VFS");
  }

  int sync(sqlite3_file* f, int flags) {
    {
      std::unique_lock lk(mu_);
      if (hold_) {
        held_ = true;
        cv_.notify_all();
        cv_.wait(lk, [&] { return !hold_; });
      }
    }
    if (fail_.load()) return SQLITE_IOERR_FSYNC;
    return f->pMethods->xSync(f, flags);
  }

  sqlite3_io_methods io_{};
  sqlite3_vfs vfs_{};
  std::atomic<bool> fail_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  bool held_ = false;
};

}  // namespace pingyi::store::test
