// ModuleEdgeTests — the report runs without a display, so nothing under it may link OpenGL:
// the package's own description (`swift package describe`) is walked from Report down, and every
// system library reached has its module map read for the libraries it links.
import Foundation
import Testing

@Suite("Module edges")
struct ModuleEdgeTests {
    struct Target { let name: String; let path: String; let dependencies: [String]; let isSystemLibrary: Bool }

    static func targets() throws -> [String: Target] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A scratch path of its own, so that it never waits for the lock of a running `swift test`.
        process.arguments = ["swift", "package", "--package-path", repositoryRoot,
                             "--scratch-path", NSTemporaryDirectory() + "module-edges-\(getpid())", "describe", "--type", "json"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "swift package describe failed")
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var result: [String: Target] = [:]
        for entry in json["targets"] as? [[String: Any]] ?? [] {
            guard let name = entry["name"] as? String, let path = entry["path"] as? String else { continue }
            result[name] = Target(name: name, path: path, dependencies: entry["target_dependencies"] as? [String] ?? [],
                                  isSystemLibrary: entry["type"] as? String == "system-target")
        }
        return result
    }

    /// Every target `name` depends on, itself included.
    static func closure(of name: String, in targets: [String: Target]) -> Set<String> {
        var seen: Set<String> = [], stack = [name]
        while let next = stack.popLast() {
            guard seen.insert(next).inserted else { continue }
            stack += targets[next]?.dependencies ?? []
        }
        return seen
    }

    /// The libraries a system-library target's module map links (`link "GL"` → "GL").
    static func linkedLibraries(_ target: Target) throws -> [String] {
        let map = try String(contentsOfFile: repositoryRoot + "/" + target.path + "/module.modulemap", encoding: .utf8)
        return map.split(separator: "\n").compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\"" })
            return words.count >= 2 && words[0] == "link" ? String(words[1]) : nil
        }
    }

    static func linked(below name: String, in targets: [String: Target]) throws -> Set<String> {
        var libraries: Set<String> = []
        for dependency in closure(of: name, in: targets) {
            guard let target = targets[dependency], target.isSystemLibrary else { continue }
            libraries.formUnion(try linkedLibraries(target))
        }
        return libraries
    }

    @Test func reportLinksNoOpenGLAndDependsOnNeitherRenderNorGame() throws {
        let targets = try Self.targets()
        let below = Self.closure(of: "Report", in: targets)
        #expect(below.contains("Raster") && below.contains("Locale"), "Report draws with Raster and words from Locale: \(below.sorted())")
        #expect(!below.contains("Render") && !below.contains("Game") && !below.contains("CGL"), "\(below.sorted())")
        let libraries = try Self.linked(below: "Report", in: targets)
        #expect(libraries.contains("SDL2_ttf"), "the walk reaches the font library: \(libraries.sorted())")
        #expect(!libraries.contains("GL"), "Report links \(libraries.sorted())")
        // The check can see GL where it is: the game window links it.
        #expect(try Self.linked(below: "Render", in: targets).contains("GL"))
    }

    @Test func gameTakesItsWordsFromLocaleNotReport() throws {
        let targets = try Self.targets()
        #expect(targets["Game"]?.dependencies.contains("Locale") == true)
        #expect(!Self.closure(of: "Locale", in: targets).contains("Report"))
    }
}
