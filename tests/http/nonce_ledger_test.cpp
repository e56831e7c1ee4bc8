// Tencent replay protection for the reference server.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "runner/http/http.hpp"

using conform::http::NonceLedger;
using Remembered = NonceLedger::Remembered;

TEST_CASE("NonceLedger refuses a pair it has seen", "[nonce]") {
    NonceLedger ledger;
    const std::int64_t now = 1700000000;
    CHECK(ledger.remember("AKID1", "42", now, now) == Remembered::fresh);
    CHECK(ledger.remember("AKID1", "42", now, now + 1) == Remembered::reused);
    CHECK(ledger.remember("AKID2", "42", now, now + 1) == Remembered::fresh); // per SecretId
    CHECK(ledger.remember("AKID1", "43", now, now + 1) == Remembered::fresh);
    // The key is not ambiguous: ("AKID1", "42") is not ("AKID14", "2").
    CHECK(ledger.remember("AKID14", "2", now, now + 1) == Remembered::fresh);
    CHECK(ledger.size() == 4);
}

TEST_CASE("NonceLedger forgets a pair once its request would be stale anyway", "[nonce]") {
    NonceLedger ledger(300);
    const std::int64_t t = 1700000000;
    CHECK(ledger.remember("AKID", "1", t, t) == Remembered::fresh);
    CHECK(ledger.remember("AKID", "1", t, t + 300) ==
          Remembered::reused); // still inside the window
    CHECK(ledger.remember("AKID", "1", t + 301, t + 301) ==
          Remembered::fresh); // the old request is stale now
    // A timestamp from the future keeps the pair longer: until timestamp + window.
    CHECK(ledger.remember("AKID", "2", t + 300, t) == Remembered::fresh);
    CHECK(ledger.remember("AKID", "2", t + 300, t + 599) == Remembered::reused);
    // Sweeping keeps memory bounded.
    CHECK(ledger.remember("AKID", "3", t + 10000, t + 10000) == Remembered::fresh);
    CHECK(ledger.size() == 1);
}

TEST_CASE("NonceLedger is safe to share between threads", "[nonce]") {
    NonceLedger ledger;
    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            for (int n = 0; n < 1000; ++n)
                if (ledger.remember("AKID", std::to_string(n), 1700000000, 1700000000) ==
                    Remembered::fresh)
                    ++accepted;
        });
    for (auto& thread : threads)
        thread.join();
    CHECK(accepted == 1000); // each nonce accepted exactly once
}

TEST_CASE("NonceLedger is bounded: when full it refuses fresh pairs until old ones expire",
          "[nonce]") {
    NonceLedger ledger(300, 3);
    const std::int64_t t = 1700000000;
    for (const char* nonce : {"1", "2", "3"})
        CHECK(ledger.remember("AKID", nonce, t, t) == Remembered::fresh);
    CHECK(ledger.remember("AKID", "4", t, t + 1) == Remembered::full);   // not remembered...
    CHECK(ledger.remember("AKID", "1", t, t + 1) == Remembered::reused); // ...nor forgetting
    CHECK(ledger.size() == 3);
    // Once the first three are stale, there is room again (and they stay stale: the
    // signature check refuses their timestamp).
    CHECK(ledger.remember("AKID", "4", t + 301, t + 301) == Remembered::fresh);
    CHECK(ledger.size() == 1);
    // Sustained unique nonces never grow it past its capacity.
    for (int n = 0; n < 10000; ++n)
        (void)ledger.remember("AKID", "x" + std::to_string(n), t + 302, t + 302);
    CHECK(ledger.size() == 3);
}
