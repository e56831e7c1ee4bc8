#pragma once
// conform::core clock — the one clock edge (STYLE.md lesson 2). Everything that reads the time
// takes a `const Clock&`: the signers (Timestamp), the reference server (the signature window),
// the runner (when a run started, how long a case took), replay (stale exchanges), the reports
// (seconds) and the progress bar. Tests inject a ManualClock and get the same bytes every time.
//
//   const core::Clock& clock = core::system_clock();
//   const auto started = clock.monotonic();
//   ...
//   result.seconds = clock.seconds_since(started);
//
//   core::ManualClock fixed(1767323045); // 2026-01-02T03:04:05Z; monotonic time stands still
//   fixed.advance(std::chrono::milliseconds(250));
//
// Two times, because they answer different questions: wall time is what is written down (a
// report's started_at, a recording's time, a signature's Timestamp) and may jump; monotonic
// time only measures durations and never goes back.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace conform::core {

class Clock {
public:
    using WallTime = std::chrono::system_clock::time_point;
    using MonotonicTime = std::chrono::steady_clock::time_point;

    virtual ~Clock() = default;
    [[nodiscard]] virtual WallTime wall() const = 0;
    [[nodiscard]] virtual MonotonicTime monotonic() const = 0;

    // Whole seconds since 1970-01-01T00:00:00Z (a signature's Timestamp).
    [[nodiscard]] std::int64_t unix_seconds() const {
        return std::chrono::duration_cast<std::chrono::seconds>(wall().time_since_epoch()).count();
    }
    // Seconds of monotonic time since `start` (a case's or a run's duration).
    [[nodiscard]] double seconds_since(MonotonicTime start) const {
        return std::chrono::duration<double>(monotonic() - start).count();
    }
};

// The process's clocks: std::chrono::system_clock and steady_clock.
class SystemClock final : public Clock {
public:
    [[nodiscard]] WallTime wall() const override { return std::chrono::system_clock::now(); }
    [[nodiscard]] MonotonicTime monotonic() const override {
        return std::chrono::steady_clock::now();
    }
};

// One SystemClock for the whole process (it has no state).
[[nodiscard]] inline const Clock& system_clock() {
    static const SystemClock clock;
    return clock;
}

// A clock that moves only when told: at a fixed wall time, with monotonic time standing still
// (so every duration is 0) until advance(). Thread-safe: workers may read it while a test moves
// it.
class ManualClock final : public Clock {
public:
    explicit ManualClock(std::int64_t unix_seconds) { set(unix_seconds); }
    explicit ManualClock(WallTime wall) { set(wall); }

    void set(std::int64_t unix_seconds) { set(WallTime(std::chrono::seconds(unix_seconds))); }
    void set(WallTime wall) {
        m_wall.store(
            std::chrono::duration_cast<std::chrono::nanoseconds>(wall.time_since_epoch()).count());
    }
    // Moves both times forward.
    void advance(std::chrono::nanoseconds by) {
        m_wall.fetch_add(by.count());
        m_monotonic.fetch_add(by.count());
    }

    [[nodiscard]] WallTime wall() const override {
        return WallTime(std::chrono::duration_cast<WallTime::duration>(
            std::chrono::nanoseconds(m_wall.load())));
    }
    [[nodiscard]] MonotonicTime monotonic() const override {
        return MonotonicTime(std::chrono::duration_cast<MonotonicTime::duration>(
            std::chrono::nanoseconds(m_monotonic.load())));
    }

private:
    std::atomic<std::int64_t> m_wall{0};      // nanoseconds since the epoch
    std::atomic<std::int64_t> m_monotonic{0}; // nanoseconds since the clock was made
};

} // namespace conform::core
