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
        .target(name: "ECS", swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        // A TOML reader that keeps the position of every key, for file:line:col errors.
        .target(name: "TOML"),
        // The carbon-city model, built on ECS and TOML only. Testable in release builds, so the
        // tests (which run optimised) can reach the market's and the registry's internals.
        .target(name: "CitySim", dependencies: ["ECS", "TOML"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked", "-enable-testing"])]),
        // System libraries, each behind a shim header (Swift cannot call C macros).
        .systemLibrary(name: "CSDL2", pkgConfig: "sdl2",
                       providers: [.apt(["libsdl2-dev", "libsdl2-ttf-dev", "libgl-dev"])]),
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .target(name: "Scripting", dependencies: ["CLua"]),
        .target(name: "Render", dependencies: ["CSDL2"]),
        // Level scripts: Lua (through Scripting) bound to a city's API.
        .target(name: "Modding", dependencies: ["CitySim", "Scripting", "ECS"]),
        // The desktop game: scene, HUD, input and the game loop, on CitySim's read-only view;
        // the end-of-lesson screen draws the report's charts (Report).
        .target(name: "Game", dependencies: ["CitySim", "Render", "Report", "ECS", "TOML"]),
        // The educator's report (`netzero report`): charts drawn on the CPU, tables, report.md. No window.
        .target(name: "Report", dependencies: ["CitySim", "Render", "TOML"]),
        .executableTarget(
            name: "netzero",
            dependencies: [
                "ECS", "TOML", "CitySim", "Game", "Render", "Report", "Scripting", "Modding", "CSDL2", "CLua",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "ECSTests", dependencies: ["ECS"]),
        .testTarget(name: "TOMLTests", dependencies: ["TOML"]),
        .testTarget(name: "CitySimTests", dependencies: ["CitySim", "ECS", "TOML"]),
        .testTarget(name: "ScriptingTests", dependencies: ["Scripting"]),
        .testTarget(name: "RenderTests", dependencies: ["Render"]),
        .testTarget(name: "GameTests", dependencies: ["Game", "Render", "Report", "CitySim", "ECS"]),
        .testTarget(name: "ModdingTests", dependencies: ["Modding", "Scripting", "CitySim", "ECS"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "CitySim", "ECS", "Render"]),
        // The fuzzers, run through the `netzero fuzz` command in a child process (a crash is a signal, not the end of the run).
        .testTarget(name: "FuzzTests", dependencies: []),
    ]
)
