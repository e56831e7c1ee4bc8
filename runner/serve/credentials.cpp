// The built-in test key pairs (NOT secrets: they open nothing but a local reference server).
#include "runner/serve/serve.hpp"

namespace conform::serve {

http::Credentials test_credentials(http::SchemeId scheme) {
    const TestCredentials& row = k_test_credentials[static_cast<std::size_t>(scheme)];
    return http::Credentials{std::string(row.key_id), std::string(row.secret)};
}

http::Credentials test_credentials(const http::Scheme& scheme) {
    return test_credentials(scheme.id);
}

} // namespace conform::serve
