#pragma once
// Loopback helpers for the transport and server tests (STYLE.md lesson 13: real sockets,
// ephemeral ports only): a raw TCP listener that answers with scripted bytes or not at all,
// a port nobody listens on, a temporary file, and a stopwatch.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace conform::test {

// A socket listening on 127.0.0.1 at a kernel-chosen port.
inline int listen_loopback(std::uint16_t& port) {
    const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (sock < 0 || ::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(sock, 16) != 0 ||
        ::getsockname(sock, reinterpret_cast<sockaddr*>(&address), &length) != 0)
        throw std::runtime_error("cannot listen on 127.0.0.1");
    port = ntohs(address.sin_port);
    return sock;
}

// A port that was just free: bound, then closed, so a connect there is refused.
inline std::uint16_t closed_port() {
    std::uint16_t port = 0;
    ::close(listen_loopback(port));
    return port;
}

// Accepts one connection at a time; with an answer, reads the request head and writes the
// answer, then closes; without, holds every connection open and never writes (a server
// that accepts and never answers).
class RawListener {
public:
    explicit RawListener(std::string answer = {}, bool answer_requests = true)
        : m_answer(std::move(answer)), m_answers(answer_requests) {
        m_sock = listen_loopback(m_port);
        m_thread = std::thread([this] { run(); });
    }
    ~RawListener() {
        m_stop = true;
        m_thread.join();
        for (const int client : m_held)
            ::close(client);
        ::close(m_sock);
    }
    RawListener(const RawListener&) = delete;
    RawListener& operator=(const RawListener&) = delete;

    [[nodiscard]] std::uint16_t port() const { return m_port; }
    [[nodiscard]] std::string base_url() const {
        return "http://127.0.0.1:" + std::to_string(m_port) + "/";
    }

private:
    void run() {
        while (!m_stop) {
            pollfd fd{m_sock, POLLIN, 0};
            if (::poll(&fd, 1, 20) <= 0)
                continue;
            const int client = ::accept(m_sock, nullptr, nullptr);
            if (client < 0)
                continue;
            if (!m_answers) {
                m_held.push_back(client);
                continue;
            }
            std::string head;
            char buffer[1024];
            while (head.find("\r\n\r\n") == std::string::npos) {
                const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
                if (n <= 0)
                    break;
                head.append(buffer, static_cast<std::size_t>(n));
            }
            ::send(client, m_answer.data(), m_answer.size(), MSG_NOSIGNAL);
            ::shutdown(client, SHUT_RDWR);
            ::close(client);
        }
    }

    std::string m_answer;
    bool m_answers;
    int m_sock = -1;
    std::uint16_t m_port = 0;
    std::vector<int> m_held;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

// A file in the temporary directory, removed at the end of the scope.
class TempFile {
public:
    explicit TempFile(const std::string& contents) {
        std::random_device random;
        m_path = std::filesystem::temp_directory_path() /
                 ("conform-test-" + std::to_string(random()) + ".pem");
        std::ofstream(m_path, std::ios::binary) << contents;
    }
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove(m_path, ignored);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_path;
};

class Stopwatch {
public:
    [[nodiscard]] std::chrono::milliseconds elapsed() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - m_start);
    }

private:
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

} // namespace conform::test
