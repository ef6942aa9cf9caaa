// GradeTests — `netzero grade` over a class folder, as a teacher runs it: every lesson's winning
// replay (whatever replays Tests/CitySimTests/Lessons holds today), a do-nothing replay of each
// lesson, and a corrupt file give one row each: the winners won, the idle ones lost, the corrupt
// file is an error row with its reason. A save is graded by its commands, not its stored ledger.
import Foundation
import Testing

/// results.csv as rows of fields (no field in these tests holds a comma or a quote).
func csvRows(_ text: String) -> [[String: String]] {
    let lines = text.split(separator: "\n").map(String.init)
    guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else { return [] }
    return lines.dropFirst().map { line in
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return Dictionary(uniqueKeysWithValues: zip(header, fields).map { ($0, $1) })
    }
}

@Suite("netzero grade", .serialized)
struct GradeTests {
    let lessonsDirectory = repositoryRoot + "/Tests/CitySimTests/Lessons"

    /// Each lesson's winning replay (not the alternative endings, like lesson 4's break-first).
    func winningReplays() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: lessonsDirectory)
            .filter { $0.hasSuffix(".replay") && $0.split(separator: ".").count == 2 }.sorted()
    }

    @Test func aClassOfWinnersIdlersAndACorruptFileGivesOneRowEach() throws {
        let folder = try temporaryDirectory("class")
        let winners = try winningReplays()
        #expect(winners.count == 10, "\(winners)")
        for name in winners {
            let text = try String(contentsOfFile: lessonsDirectory + "/" + name, encoding: .utf8)
            try text.write(toFile: folder + "/win-" + name, atomically: true, encoding: .utf8)
            // The same level and seed, no commands, recorded by a student who did nothing.
            let lines = text.split(separator: "\n").map(String.init)
            let level = try #require(lines.first { $0.hasPrefix("level ") })
            let seed = try #require(lines.first { $0.hasPrefix("seed ") })
            let idle = "# NetZero City replay\nformat 2\n\(level)\nplayer Idle \(name.prefix(2))\n\(seed)\nend 0\n"
            try idle.write(toFile: folder + "/idle-" + name, atomically: true, encoding: .utf8)
        }
        var garbage = [UInt8](repeating: 0, count: 300)
        var state: UInt32 = 12345
        for i in garbage.indices { state = state &* 1_103_515_245 &+ 12345; garbage[i] = UInt8(truncatingIfNeeded: state >> 16) }
        try Data(garbage).write(to: URL(fileURLWithPath: folder + "/corrupt.replay"))
        // Files that are neither replays nor saves are not graded.
        try "notes".write(toFile: folder + "/README.txt", atomically: true, encoding: .utf8)

        let out = folder + "/out/results.csv"
        let result = try netzero(["grade", folder, "--out", out, "--jobs", "2", "--size", "480x320"])
        #expect(result.status == 0, "\(result.errors)")
        let rows = csvRows(try String(contentsOfFile: out, encoding: .utf8))
        #expect(rows.count == 21, "\(rows.map { $0["file"] ?? "" })")
        let won = rows.filter { $0["result"] == "won" }, lost = rows.filter { $0["result"] == "lost" }
        let errors = rows.filter { $0["result"] == "error" }
        #expect(won.count == 10 && lost.count == 10 && errors.count == 1,
                "\(rows.map { "\($0["file"] ?? ""): \($0["result"] ?? "") \($0["reason"] ?? "")" })")
        #expect(won.allSatisfy { $0["file"]!.hasPrefix("win-") }, "the winners are the lessons' winning replays")
        #expect(lost.allSatisfy { $0["file"]!.hasPrefix("idle-") && $0["student"]!.hasPrefix("Idle ") }, "the idle students, named by their replays")
        let corrupt = try #require(errors.first)
        #expect(corrupt["file"] == "corrupt.replay")
        #expect(corrupt["reason"]!.contains("corrupt.replay:1:1"), "the reason points at the file: \(corrupt["reason"]!)")
        for row in won + lost {
            #expect(row["replay_hash"]!.count == 16 && UInt64(row["replay_hash"]!, radix: 16) != nil, "\(row)")
            #expect(!row["objective1_id"]!.isEmpty && Double(row["objective1_value"]!) != nil, "each objective's value: \(row)")
            #expect(Int(row["years_run"]!)! >= 2, "run to the lesson's last deadline: \(row)")
        }
        #expect(lost.allSatisfy { $0["years_played"] == "0.00" }, "the idle replays end at tick 0")
        #expect(result.output.contains("10 won, 10 lost, 0 undecided, 1 error(s)"), "\(result.output)")
        // The summary page, with each graded student's report charts.
        let summary = try String(contentsOfFile: folder + "/out/results-summary/summary.md", encoding: .utf8)
        #expect(summary.contains("21 file(s) graded: 10 won, 10 lost, 0 undecided, 1 error(s)."))
        let charts = summary.split(separator: "\n").filter { $0.hasPrefix("![") }
        #expect(charts.count == 20, "a chart line per graded student")
        for line in charts {
            let target = line.split(separator: "(")[1].split(separator: ")")[0]
            #expect(FileManager.default.fileExists(atPath: folder + "/out/results-summary/" + target), "\(target)")
        }
    }

    @Test func aSaveIsGradedByItsCommandsNotItsStoredLedger() throws {
        let folder = try temporaryDirectory("grade-save")
        // Lesson 1's winning play saved after its first year (undecided then: the deadline is the
        // end of 2021). Graded, it is re-run from its commands to the deadline, as its replay is.
        let level = repositoryRoot + "/Levels/lessons/01-sources-and-sinks.toml"
        let replay = lessonsDirectory + "/01-sources-and-sinks.replay"
        let save = folder + "/student.nzsave"
        let run = try netzero(["run", level, "--years", "1", "--replay", replay, "--out", folder + "/run", "--save", save])
        #expect(run.status == 0, "\(run.errors)")
        #expect(try String(contentsOfFile: folder + "/run/summary.json", encoding: .utf8).contains("\"result\": \"undecided\""))
        let fromSave = try netzero(["grade", "--one", save])
        let fromReplay = try netzero(["grade", "--one", replay])
        #expect(fromSave.status == 0 && fromReplay.status == 0, "\(fromSave.errors) \(fromReplay.errors)")
        #expect(fromSave.output.contains("\"result\":\"won\""), "\(fromSave.output)")
        func objectives(_ json: String) -> Substring? {
            guard let start = json.range(of: "\"objectives\":"), let end = json.range(of: "]", range: start.upperBound..<json.endIndex) else { return nil }
            return json[start.lowerBound..<end.upperBound]
        }
        #expect(objectives(fromSave.output) != nil && objectives(fromSave.output) == objectives(fromReplay.output),
                "the same objective values as the replay's: \(fromSave.output)")
        // A damaged save is an error row with a reason, never a crash.
        try Data([UInt8]("NZCSAVE".utf8) + [0, 3, 0, 0, 0, 1, 2, 3]).write(to: URL(fileURLWithPath: folder + "/broken.nzsave"))
        let broken = try netzero(["grade", "--one", folder + "/broken.nzsave"])
        #expect(broken.status == 0)
        #expect(broken.output.contains("\"result\":\"error\"") && broken.output.contains("broken.nzsave"), "\(broken.output)")
    }
}
