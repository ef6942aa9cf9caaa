// LevelFormatTests — the level-file format version: format 1 (no `format` key) migrates, a
// newer format is refused at its key, and `script_file` (format 2) reads a Lua file beside the level.
import CitySim
import Foundation
import Testing

/// A fresh folder under the system's temporary folder, removed by the caller.
func scratchFolder(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "netzero-\(name)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

@Suite("Level-file format")
struct LevelFormatTests {
    @Test func aFileWithoutFormatIsFormatOneAndMigrates() throws {
        let result = parseLevel(minimalLevel)
        let level = try #require(result.level, "\(result.diagnostics)")
        #expect(level.migratedFrom == 1)
        #expect(level.format == LevelFile.formatVersion)
    }

    @Test func everyShippedLessonLoadsThroughTheMigration() throws {
        let folder = repositoryRoot + "/Levels/lessons"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".toml") }
        #expect(!names.isEmpty)
        for name in names {
            let result = LevelFile.load(path: folder + "/" + name, catalog: testCatalog)
            let level = try #require(result.level, "\(name): \(result.diagnostics)")
            #expect(level.migratedFrom == 1, "\(name)")
        }
    }

    @Test func todaysFormatIsReadAsIs() throws {
        let result = parseLevel("format = 2\n" + minimalLevel)
        let level = try #require(result.level, "\(result.diagnostics)")
        #expect(level.migratedFrom == nil)
    }

    @Test func aNewerFormatIsRefusedAtItsKey() {
        let result = parseLevel("# made by a future game\nformat = 3\n" + minimalLevel)
        #expect(result.level == nil)
        let first = result.diagnostics.first
        #expect(first?.line == 2 && first?.column == 10, "\(result.diagnostics)")
        #expect(first?.message.contains("format 3, made for a newer NetZero City") == true, "\(result.diagnostics)")
        #expect(first?.description.hasPrefix("lesson.toml:2:10: error:") == true)
    }

    @Test func aFormatThatIsNotAWholeNumberOrZeroIsAnError() {
        #expect(firstProblem("format = \"2\"\n" + minimalLevel)?.hasPrefix("1:10: 'format' must be a whole number") == true)
        #expect(firstProblem("format = 0\n" + minimalLevel)?.hasPrefix("1:10: format 0 does not exist") == true)
    }

    @Test func scriptFileNeedsFormatTwo() {
        let problem = firstProblem("script_file = \"main.lua\"\n" + minimalLevel)
        #expect(problem?.hasPrefix("1:1: 'script_file' is new in level format 2") == true, "\(problem ?? "")")
    }

    @Test func scriptFileReadsALuaFileBesideTheLevel() throws {
        let folder = try scratchFolder("script-file")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try write("function on_start()\n  message(\"hi\", \"你好\")\nend\n", to: folder + "/scripts/main.lua")
        try write("format = 2\nscript_file = \"../scripts/main.lua\"\n" + minimalLevel, to: folder + "/levels/mini.toml")
        let result = LevelFile.load(path: folder + "/levels/mini.toml", catalog: testCatalog)
        let script = try #require(result.level?.script, "\(result.diagnostics)")
        #expect(script.file == folder + "/scripts/main.lua")
        #expect(script.firstLine == 1)
        #expect(script.source.contains("你好"))
    }

    @Test func scriptFileCannotLeaveTheLevelsSurroundings() {
        for (name, expected) in [("../../etc/passwd.lua", "may climb one folder"), ("/etc/x.lua", "is a relative path"),
                                 ("main.py", "ending in .lua"), ("missing.lua", "cannot read script file 'missing.lua'")] {
            let problem = firstProblem("format = 2\nscript_file = \"\(name)\"\n" + minimalLevel)
            #expect(problem?.hasPrefix("2:15: ") == true && problem?.contains(expected) == true, "\(name): \(problem ?? "")")
        }
        let both = firstProblem("format = 2\nscript = \"\"\nscript_file = \"a.lua\"\n" + minimalLevel)
        #expect(both?.contains("not both") == true, "\(both ?? "")")
    }

    @Test func aLevelPathThatIsNotARegularFileIsRefusedWithoutReading() throws {
        let folder = try scratchFolder("fifo")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fifo = folder + "/level.toml"
        #expect(mkfifo(fifo, 0o644) == 0)
        // Opening a FIFO for reading would wait for a writer for ever.
        let result = LevelFile.load(path: fifo, catalog: testCatalog)
        #expect(result.diagnostics.first?.message == "cannot read the level: it is not a regular file")
        let folderResult = LevelFile.load(path: folder, catalog: testCatalog)
        #expect(folderResult.diagnostics.first?.message == "cannot read the level: it is a folder, not a file")
    }
}
