// The one translation unit that compiles Boost.Beast and Boost.Asio (with its OpenSSL part);
// every other file of pingyi_net, and every user of it, sees them with
// BOOST_BEAST_SEPARATE_COMPILATION and BOOST_ASIO_SEPARATE_COMPILATION defined (CMakeLists.txt).

// Nothing below is our code. Boost's include directory is already a system one, but GCC 12
// reports -Wmaybe-uninitialized from the optimiser after inlining, where the system-header
// exemption does not reach (a false positive on boost::optional inside Beast's basic_parser,
// seen with -fsanitize). Silenced for this file only; the project's own files keep -Werror.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp uses std::exchange without including it
// clang-format on

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
#pragma GCC diagnostic pop
