// http_server::create: loads TLS, binds the listener, and ties the shared state to the lifetime
// of the returned object (destroying it stops the server, as stop() does).
// clang-format off
#include <utility>  // first: Boost 1.74's Asio needs it before its awaitable header
// clang-format on

#include "pingyi/net/http_server.hpp"

#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "listener.hpp"
#include "shared_state.hpp"

namespace pingyi::net {

namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 and later only, with the certificate chain and key from PEM files.
std::shared_ptr<ssl::context> load_tls(const tls_files& files, std::string& error) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1) {
    error = "cannot restrict TLS to version 1.2 and later";
    return nullptr;
  }
  boost::system::error_code ec;
  context->use_certificate_chain_file(files.certificate_chain.string(), ec);
  if (ec) {
    error = std::string("cannot load the TLS certificate chain ")
                .append(files.certificate_chain.string())
                .append(": ")
                .append(ec.message());
    return nullptr;
  }
  context->use_private_key_file(files.private_key.string(), ssl::context::pem, ec);
  if (ec) {
    error = std::string("cannot load the TLS private key ")
                .append(files.private_key.string())
                .append(": ")
                .append(ec.message());
    return nullptr;
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    error = std::string("the TLS private key ")
                .append(files.private_key.string())
                .append(" does not match the certificate");
    return nullptr;
  }
  return context;
}

class server final : public http_server {
 public:
  server(std::shared_ptr<detail::shared_state> state, std::shared_ptr<detail::listener> listener)
      : state_(std::move(state)), listener_(std::move(listener)) {}
  ~server() override { stop(); }
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept override { return listener_->port(); }

  void stop() override {
    listener_->stop();
    state_->stop();
  }

  void abandon_connections() override { state_->abandon_all(); }

  bool reload_tls(std::string& error) override {
    const auto& files = state_->options().tls;
    if (!files) {
      error = "the server is not serving TLS (no --tls-cert)";
      return false;
    }
    auto context = load_tls(*files, error);
    if (!context) return false;
    state_->replace_tls(std::move(context));
    return true;
  }

 private:
  std::shared_ptr<detail::shared_state> state_;
  std::shared_ptr<detail::listener> listener_;
};

}  // namespace

std::unique_ptr<http_server> http_server::create(boost::asio::io_context& io, const server_options& options,
                                                 std::shared_ptr<request_handler> handler,
                                                 std::shared_ptr<metrics> counters, std::string& error) {
  if (!handler) {
    error = "http_server: no request handler";
    return nullptr;
  }
  if (!counters) counters = std::make_shared<metrics>();
  std::shared_ptr<ssl::context> tls;
  if (options.tls) {
    tls = load_tls(*options.tls, error);
    if (!tls) return nullptr;
  }
  auto state = std::make_shared<detail::shared_state>(options, std::move(handler), std::move(counters), std::move(tls));
  auto listener = std::make_shared<detail::listener>(io, state);
  if (!listener->open(error)) return nullptr;
  listener->run();
  return std::make_unique<server>(std::move(state), std::move(listener));
}

}  // namespace pingyi::net
