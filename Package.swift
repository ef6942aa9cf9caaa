// swift-tools-version:6.0
// NetZero City (零碳城): a desktop sandbox for building a carbon-neutral city.
// Module map and import rules: docs/architecture.md.
import PackageDescription

let package = Package(
    name: "NetZeroCity",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "netzero", targets: ["netzero"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Generic entity-component-system runtime. Knows nothing of cities; imports nothing of ours.
        // Exclusivity checks off, for a measured gain: `netzero bench ecs --entities 200000 --repeat 1`
        // under `valgrind --tool=callgrind` runs 1,321,193,688 instructions with the checks and
        // 588,096,254 without (−55%); docs/architecture.md, "Unsafe flags".
        .target(name: "ECS", swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // A TOML reader that keeps the position of every key, for file:line:col errors.
        .target(name: "TOML"),
        // CRC-32, for the save file's seal and the PNG encoder. Imports nothing.
        .target(name: "Checksum"),
        // The carbon-city model, built on ECS, TOML and Checksum only. Exclusivity checks off here
        // too, because ECS's generic queries are specialised, and so checked or not, in CitySim:
        // `netzero bench sim --hours 48` under callgrind runs 2,680,274,674 instructions with the
        // checks in both modules and 2,116,725,015 without (−21%).
        .target(name: "CitySim", dependencies: ["ECS", "TOML", "Checksum"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // System libraries, each behind a shim header (Swift cannot call C macros). CSDL2 is SDL2 and
        // SDL2_ttf; CGL is OpenGL, for Render alone, so that nothing else links libGL.
        .systemLibrary(name: "CSDL2", pkgConfig: "sdl2",
                       providers: [.apt(["libsdl2-dev", "libsdl2-ttf-dev"])]),
        .systemLibrary(name: "CGL", providers: [.apt(["libgl-dev"])]),
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .target(name: "Scripting", dependencies: ["CLua"]),
        // Pictures on the CPU: RGBA8 images, the PNG encoder, SDL2_ttf text. No window, no GL.
        .target(name: "Raster", dependencies: ["CSDL2", "Checksum"]),
        .target(name: "Render", dependencies: ["CSDL2", "CGL", "Raster"]),
        // The player's language: Resources/locale/*.toml, names, money and numbers as each language writes them.
        .target(name: "Locale", dependencies: ["CitySim", "TOML"]),
        // Level scripts: Lua (through Scripting) bound to a city's API (ECS for the build hook's `Entity`).
        .target(name: "Modding", dependencies: ["CitySim", "Scripting", "ECS"]),
        // The desktop game: scene, HUD, input and the game loop, on CitySim's read-only view;
        // the end-of-lesson screen draws the report's charts (Report).
        .target(name: "Game", dependencies: ["CitySim", "ECS", "Render", "Raster", "Locale", "Report"]),
        // The educator's report (`netzero report`): charts drawn on the CPU, tables, report.md. No window, no GL.
        .target(name: "Report", dependencies: ["CitySim", "TOML", "Raster", "Locale"]),
        .executableTarget(
            name: "netzero",
            dependencies: [
                "ECS", "TOML", "Checksum", "CitySim", "Locale", "Game", "Render", "Report", "Scripting", "Modding", "CSDL2",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "ECSTests", dependencies: ["ECS"]),
        .testTarget(name: "TOMLTests", dependencies: ["TOML"]),
        .testTarget(name: "CitySimTests", dependencies: ["CitySim", "ECS", "TOML"]),
        .testTarget(name: "ScriptingTests", dependencies: ["Scripting"]),
        .testTarget(name: "RenderTests", dependencies: ["Render", "Raster", "Checksum"]),
        .testTarget(name: "GameTests", dependencies: ["Game", "Render", "Raster", "Locale", "Report", "CitySim", "ECS", "Modding"]),
        .testTarget(name: "ModdingTests", dependencies: ["Modding", "Scripting", "CitySim", "ECS"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Locale", "CitySim", "ECS", "Raster", "TOML"]),
        // The fuzzers, run through the `netzero fuzz` command in a child process (a crash is a signal, not the end of the run).
        .testTarget(name: "FuzzTests", dependencies: []),
    ]
)
