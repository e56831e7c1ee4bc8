# Warnings and sanitizers live on INTERFACE targets that every conform target links.
add_library(conform_warnings INTERFACE)
target_compile_options(conform_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual)
if(CONFORM_WERROR)
  target_compile_options(conform_warnings INTERFACE -Werror)
endif()

add_library(conform_sanitizers INTERFACE)
if(CONFORM_SANITIZE)
  target_compile_options(conform_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(conform_sanitizers INTERFACE -fsanitize=address,undefined)
  # GCC 12's flow analysis misreads sanitizer-instrumented code: libstdc++'s own <regex>
  # (pulled in by Catch2) trips -Wmaybe-uninitialized, and instrumented bounds checks trip
  # -Wstringop-overflow/-Warray-bounds (known GCC 12 false positives). Those three stay off here
  # only; every other warning is still an error.
  target_compile_options(conform_sanitizers INTERFACE -Wno-maybe-uninitialized
    -Wno-stringop-overflow -Wno-array-bounds)
endif()

# Profile-guided optimisation, in two builds of one directory (scripts/build-pgo): `generate`
# compiles counters in, a training run writes them to CONFORM_PGO_DIR, and `use` compiles again
# with what they counted (hot paths laid out together, likely branches first). GCC names each
# object's counters after its path, so both phases must build in the same directory.
set(CONFORM_PGO "" CACHE STRING "Profile-guided optimisation phase: generate, use, or empty (off)")
set(CONFORM_PGO_DIR "${CMAKE_BINARY_DIR}/pgo-profile" CACHE PATH
  "Where the training run's profile is written (generate) and read (use)")
add_library(conform_pgo INTERFACE)
if(CONFORM_PGO STREQUAL "generate")
  # Atomic counters where the target has them: replay's jobs update them from several threads.
  target_compile_options(conform_pgo INTERFACE -fprofile-generate=${CONFORM_PGO_DIR}
    -fprofile-update=prefer-atomic)
  target_link_options(conform_pgo INTERFACE -fprofile-generate=${CONFORM_PGO_DIR})
elseif(CONFORM_PGO STREQUAL "use")
  # Code the training never ran is optimised as without a profile, not as cold; a file it
  # never reached has no profile, which is no warning.
  target_compile_options(conform_pgo INTERFACE -fprofile-use=${CONFORM_PGO_DIR}
    -fprofile-partial-training -Wno-missing-profile)
elseif(NOT CONFORM_PGO STREQUAL "")
  message(FATAL_ERROR "CONFORM_PGO is '${CONFORM_PGO}': generate, use, or empty")
endif()

# GCC caps the code that inlining may add to a translation unit larger than `large-unit-insns`
# (10,000 instructions) at `inline-unit-growth` (40%). A unity build's files are far larger, and
# under that cap the replay's small hot calls stay calls: a unity build (RelWithDebInfo)
# replayed 100k exchanges with `--jobs 1` in 0.843 s, and in 0.780 s with the limit raised, as
# fast as a file-by-file Release build (0.782 s; 15 paired rounds, bench/README.md), but it
# took 78 s more of a 142 s build, and scripts/run's first run on a bare Debian 3 min 56 s
# instead of 2 min 31 s. So it applies to unity Release builds only (built for speed), not to
# RelWithDebInfo (scripts/run's quick start, the tests'), the sanitizers' or the profile-guided
# build (whose profile decides what is inlined); the build type is read when compiling, so a
# build directory configured again for another type follows it. With more std::string code
# inlined, GCC 12 warns -Wrestrict of copies that cannot overlap (a known false positive).
option(CONFORM_INLINE_LARGE_UNITS "Raise GCC's inlining cap in unity Release builds" ON)
add_library(conform_inlining INTERFACE)
if(CONFORM_INLINE_LARGE_UNITS AND CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU"
   AND NOT CONFORM_SANITIZE AND CONFORM_PGO STREQUAL "")
  target_compile_options(conform_inlining INTERFACE
    $<$<CONFIG:Release>:--param=large-unit-insns=200000>)
  target_compile_options(conform_warnings INTERFACE $<$<CONFIG:Release>:-Wno-restrict>)
endif()

add_library(conform_options INTERFACE)
target_link_libraries(conform_options INTERFACE conform_warnings conform_sanitizers conform_pgo
  conform_inlining)
target_compile_definitions(conform_options INTERFACE
  CONFORM_VERSION="${PROJECT_VERSION}"
  CONFORM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

# conform_module(NAME SOURCES... DEPS ...) : one STATIC library per module, alias conform::NAME.
function(conform_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(conform_${name} STATIC ${M_SOURCES})
  add_library(conform::${name} ALIAS conform_${name})
  target_include_directories(conform_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(conform_${name} PUBLIC conform_options ${M_DEPS})
endfunction()
