// What the service and every live session and connection share: the io_context whose strands
// they run on, the store, the worker pool (ballot proofs, store reads, secrets writes), the
// credential key, the metrics and the options. Created once by service::start.
#pragma once

// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <memory>
#include <mutex>

#include "credentials.hpp"
#include "pingyi/net/metrics.hpp"
#include "pingyi/net/service.hpp"
#include "pingyi/store/chain_store.hpp"

namespace pingyi::net {

struct service_context {
  service_context(boost::asio::io_context& io_context, store::chain_store& chain_store, service_options service_options,
                  std::shared_ptr<metrics> service_metrics, credentials keys)
      : io(io_context),
        store(chain_store),
        options(std::move(service_options)),
        counters(std::move(service_metrics)),
        creds(std::move(keys)),
        pool(options.worker_threads == 0 ? 1 : options.worker_threads),
        secrets_strand(boost::asio::make_strand(pool.get_executor())) {}

  boost::asio::io_context& io;
  store::chain_store& store;
  const service_options options;
  const std::shared_ptr<metrics> counters;
  const credentials creds;
  // Set by service::stop(): new requests are refused and catch-up reads end.
  std::atomic<bool> stopping{false};
  // Batches accepted by the store whose outcome has not yet reached their session's strand;
  // stop() waits for them so that no reply to a committing request is lost.
  std::atomic<std::int64_t> in_flight{0};
  // Store callbacks that have not yet returned (the writer thread is inside post() until then):
  // the io_context must outlive them. Shared, because the writer thread drops its copy last.
  const std::shared_ptr<std::atomic<std::int64_t>> store_callbacks = std::make_shared<std::atomic<std::int64_t>>(0);
  // Ballots being checked on the pool (bounded: each holds up to 1 MiB of request).
  std::atomic<std::int64_t> ballots_checking{0};

  // Proofs, store reads and the secrets file: never on the io_context's threads. Declared after
  // the counters above, so that work still queued when it is destroyed can count itself out.
  boost::asio::thread_pool pool;
  // The secrets file is read, extended and replaced by one job at a time.
  boost::asio::strand<boost::asio::thread_pool::executor_type> secrets_strand;

  // Posts work to the pool (or the secrets strand) unless the pool is closed, in which case the
  // work is dropped at once: work queued after the pool was joined would never run, and would
  // keep alive, through what it captures, this context and so the pool that holds it.
  template <class Handler>
  bool post_to_pool(Handler&& handler) {
    std::lock_guard lock(pool_mutex_);
    if (pool_closed_) return false;
    boost::asio::post(pool, std::forward<Handler>(handler));
    return true;
  }
  template <class Handler>
  bool post_to_secrets(Handler&& handler) {
    std::lock_guard lock(pool_mutex_);
    if (pool_closed_) return false;
    boost::asio::post(secrets_strand, std::forward<Handler>(handler));
    return true;
  }
  // Refuses new pool work, then waits for the work already queued (service::stop).
  void close_pool() {
    {
      std::lock_guard lock(pool_mutex_);
      pool_closed_ = true;
    }
    pool.join();
  }

 private:
  // Guards pool_closed_ only, held for one post: the pool's lifetime, not any session's state.
  std::mutex pool_mutex_;
  bool pool_closed_ = false;
};

}  // namespace pingyi::net
