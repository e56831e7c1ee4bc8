#pragma once
// A peer that closes while we write raises SIGPIPE, whose default action ends the process.
// Plain sockets avoid it with MSG_NOSIGNAL, but OpenSSL writes with write(2); so the thread
// that writes blocks SIGPIPE for the duration and swallows one that became pending, leaving
// the process's signal disposition alone (a library must not change it).

#include <csignal>
#include <ctime>

#include <pthread.h>

namespace conform::http::internal {

class SigpipeBlock {
public:
    SigpipeBlock() noexcept {
        sigemptyset(&m_pipe);
        sigaddset(&m_pipe, SIGPIPE);
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        m_was_pending = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &m_pipe, &m_previous);
    }
    ~SigpipeBlock() {
        if (!m_was_pending) {
            sigset_t pending;
            sigemptyset(&pending);
            sigpending(&pending);
            if (sigismember(&pending, SIGPIPE) == 1) {
                const timespec zero{};
                sigtimedwait(&m_pipe, nullptr, &zero);
            }
        }
        pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
    }
    SigpipeBlock(const SigpipeBlock&) = delete;
    SigpipeBlock& operator=(const SigpipeBlock&) = delete;

private:
    sigset_t m_pipe{};
    sigset_t m_previous{};
    bool m_was_pending = false;
};

// For threads we own (the server's workers): SIGPIPE stays blocked for their whole life.
inline void block_sigpipe_in_this_thread() noexcept {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
}

} // namespace conform::http::internal
