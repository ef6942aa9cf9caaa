// EditCommandTests — `netzero edit` without a window: a level that does not pass the check is
// refused with the check's messages before any window opens, and a new level's name is written
// from `new-level`'s scaffold (then the missing display is explained).
import Foundation
import Testing

struct EditCommandTests {
    @Test func aLevelThatFailsTheCheckIsRefusedWithItsProblems() throws {
        let folder = try temporaryDirectory("edit-bad")
        let path = folder + "/bad.toml"
        try "[level]\nid = \"bad\"\ntitle_en = \"Bad\"\ntitle_zh = \"坏\"\nbudget = nan\n[map]\nrows = \"\"\"\n..\n\"\"\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["DISPLAY"] = nil
        let result = try netzero(["edit", path], environment: environment, timeLimit: 120)
        #expect(result.status != 0 && !result.timedOut && !result.signalled)
        #expect(result.errors.contains("\(path):5:10: error: 'budget' must be a finite number, not nan"), "\(result.errors)")
        #expect(result.errors.contains("does not pass `netzero check`"))
    }

    @Test func aNewNameIsWrittenFromTheScaffoldAndPassesTheCheck() throws {
        let folder = try temporaryDirectory("edit-new")
        var environment = ProcessInfo.processInfo.environment
        environment["DISPLAY"] = nil
        environment["WAYLAND_DISPLAY"] = nil
        environment["XDG_DATA_HOME"] = folder
        let result = try netzero(["edit", "my-island"], environment: environment, timeLimit: 120)
        let path = folder + "/netzero/levels/my-island.toml"
        #expect(FileManager.default.fileExists(atPath: path), "\(result.output) \(result.errors)")
        #expect(result.status != 0 && result.errors.contains("netzero run"), "without a display the window cannot open: \(result.errors)")
        let check = try netzero(["check", path], timeLimit: 120)
        #expect(check.status == 0, "\(check.output)")
    }
}
