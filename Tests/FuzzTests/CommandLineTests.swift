// CommandLineTests — the `netzero` command's answers to hostile or mistaken use (issue 13):
// an unknown command is a usage error, a run whose script stopped exits non-zero, a level over
// the size limits is refused by `check` with its position, and a scripted level run twice in
// two processes writes the same bytes.
import Foundation
import Testing

struct CommandResult {
    var status: Int32
    var output: String
    var errors: String
    /// The child was killed by a signal (a crash), not an exit.
    var signalled: Bool
    /// The child outran `timeLimit` and was stopped.
    var timedOut: Bool
}

/// Runs the `netzero` binary in a child process, reading both pipes while it runs (a full pipe
/// would block it); past `timeLimit` seconds the child is stopped and the result says so.
func netzero(_ arguments: [String], environment: [String: String]? = nil, timeLimit: Double? = nil) throws -> CommandResult {
    let path = try #require(netzeroPath, "build netzero first (swift build --build-tests)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    nonisolated(unsafe) var outData = Data(), errData = Data()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { outData = output.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { errData = errors.fileHandleForReading.readDataToEndOfFile() }
    var timedOut = false
    if let timeLimit {
        timedOut = group.wait(timeout: .now() + timeLimit) == .timedOut
        if timedOut {
            process.terminate()
            _ = group.wait(timeout: .now() + 10)
        }
    } else {
        group.wait()
    }
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
                         errors: String(decoding: errData, as: UTF8.self),
                         signalled: process.terminationReason == .uncaughtSignal, timedOut: timedOut)
}

func temporaryDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "netzero-\(name)-\(ProcessInfo.processInfo.processIdentifier)"
    try? FileManager.default.removeItem(atPath: path)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    return FileManager.default.currentDirectoryPath
}()

@Suite("Command line")
struct CommandLineTests {
    @Test func anUnknownCommandIsAUsageError() throws {
        let result = try netzero(["foo"])
        #expect(result.status == 64)
        #expect(result.errors.contains("unknown command 'foo'"))
        #expect(result.errors.contains("USAGE"), "\(result.errors)")
    }

    @Test func aRunWhoseScriptStoppedExitsNonZero() throws {
        let directory = try temporaryDirectory("stopped")
        let level = directory + "/stops.toml"
        try """
        script = '''
        function on_day(date) error("the script gives up") end
        '''
        [level]
        id = "stops"
        title_en = "Stops"
        title_zh = "停止"

        [map]
        rows = \"\"\"
        ..c..
        =====
        .HHf.
        \"\"\"
        """.write(toFile: level, atomically: true, encoding: .utf8)
        let result = try netzero(["run", level, "--years", "1", "--out", directory + "/out"])
        #expect(result.status == 3, "\(result.errors)")
        #expect(result.errors.contains("stops.toml:2:1: error: script stopped:"), "\(result.errors)")
        #expect(FileManager.default.fileExists(atPath: directory + "/out/summary.json"))
    }

    @Test func checkRefusesAMapOverTheSizeLimitsWithItsPosition() throws {
        let directory = try temporaryDirectory("huge")
        let level = directory + "/huge.toml"
        let rows = Array(repeating: String(repeating: "H", count: 512), count: 512).joined(separator: "\n")
        try "[level]\nid = \"huge\"\ntitle_en = \"Huge\"\ntitle_zh = \"巨大\"\n\n[map]\nrows = \"\"\"\n\(rows)\n\"\"\"\n"
            .write(toFile: level, atomically: true, encoding: .utf8)
        let check = try netzero(["check", level])
        #expect(check.status == 1)
        #expect(check.output.contains("huge.toml:6:1: error: the map houses 131072000 residents; a city may house at most 1000000"),
                "\(check.output)")
        let run = try netzero(["run", level, "--years", "1", "--out", directory + "/out"])
        #expect(run.status != 0 && run.errors.contains("at most 1000000"))
    }

    @Test func scriptedRunsAreByteIdenticalInTwoProcesses() throws {
        for mod in ["green-points", "carbon-tax-shock"] {
            var outputs: [[Data]] = []
            for attempt in 0..<2 {
                let directory = try temporaryDirectory("\(mod)-\(attempt)")
                let result = try netzero(["run", repositoryRoot + "/Levels/mods/\(mod)/levels/\(mod).toml", "--years", "2", "--out", directory])
                #expect(result.status == 0, "\(mod): \(result.errors)")
                outputs.append(try ["yearly.csv", "daily.csv", "summary.json"].map {
                    try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))
                })
            }
            #expect(outputs[0] == outputs[1], "\(mod): two processes wrote different bytes")
            #expect(!outputs[0].contains { String(decoding: $0, as: UTF8.self).contains("nan") })
        }
    }
}
