// The reference on a real socket (runner/http/server.hpp). Kept apart from the handler so that
// in-memory users (and their tests) do not link the listener.
#include "runner/serve/serve.hpp"

namespace conform::serve {

core::Result<std::unique_ptr<http::Server>>
start_reference(std::shared_ptr<const Reference> reference, const http::ServerOptions& options) {
    if (!reference)
        return core::fail("start_reference: no reference to serve");
    // The handler owns a reference count: the Reference lives as long as the server answers.
    return http::Server::start(
        options, [reference = std::move(reference)](const http::ServerRequest& request) {
            return reference->answer(request);
        });
}

} // namespace conform::serve
