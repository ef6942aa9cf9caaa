// ModCommandTests — the mod commands as a newcomer uses them: fresh scaffolds pass `check`,
// `check` on a mod folder reports at file:line:col, and replays refuse another mod version.
import Foundation
import Testing

/// An environment whose XDG data folder is `data` (and whose HOME is a fresh folder).
func environment(data: String) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment["XDG_DATA_HOME"] = data
    environment["XDG_CONFIG_HOME"] = data + "/config"
    return environment
}

@Suite("Mod commands")
struct ModCommandTests {
    @Test func freshScaffoldsPassCheck() throws {
        let data = try temporaryDirectory("scaffold")
        let env = environment(data: data)
        let level = try netzero(["new-level", "my-town"], environment: env)
        #expect(level.status == 0, "\(level.errors)")
        let mod = try netzero(["new-mod", "my-mod"], environment: env)
        #expect(mod.status == 0, "\(mod.errors)")
        let levelPath = data + "/netzero/levels/my-town.toml", modPath = data + "/netzero/mods/my-mod"
        for file in ["mod.toml", "levels/my-mod.toml", "scripts/my-mod.lua", "catalog/overrides.toml", "locale/en.toml", "locale/zh.toml"] {
            #expect(FileManager.default.fileExists(atPath: modPath + "/" + file), "\(file)")
        }
        let levelText = try String(contentsOfFile: levelPath, encoding: .utf8)
        #expect(levelText.contains("format = 2") && levelText.contains("title_zh = \"我的关卡\"") && levelText.contains("\n# "))
        let check = try netzero(["check", levelPath, modPath], environment: env)
        #expect(check.status == 0, "\(check.output)\(check.errors)")
        #expect(check.output.hasSuffix("checked: 0 errors, 0 warnings\n"), "\(check.output)")
        // The scaffolded mod's level runs, and its script speaks from the mod's strings.
        let log = data + "/run.log"
        let run = try netzero(["run", modPath + "/levels/my-mod.toml", "--years", "1", "--out", data + "/out", "--log", log], environment: env)
        #expect(run.status == 0, "\(run.errors)")
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("Welcome! Reach net zero by 2030."))
        // Nothing is overwritten, and a bad name is refused.
        let again = try netzero(["new-mod", "my-mod"], environment: env)
        #expect(again.status != 0 && again.errors.contains("already exists"), "\(again.errors)")
        let badName = try netzero(["new-level", "../escape"], environment: env)
        #expect(badName.status != 0 && badName.errors.contains("a level name is 1–64 lowercase letters"), "\(badName.errors)")
    }

    @Test func checkOnAModFolderPointsAtEachProblem() throws {
        let data = try temporaryDirectory("check-mod")
        let env = environment(data: data)
        #expect(try netzero(["new-mod", "broken-mod"], environment: env).status == 0)
        let folder = data + "/netzero/mods/broken-mod"
        // A misspelt key in mod.toml, an unknown metric in the level, an undefined call in the script.
        let manifest = try String(contentsOfFile: folder + "/mod.toml", encoding: .utf8)
        try manifest.replacingOccurrences(of: "authors =", with: "author =").write(toFile: folder + "/mod.toml", atomically: true, encoding: .utf8)
        let check = try netzero(["check", folder], environment: env)
        #expect(check.status == 1)
        #expect(check.output.contains("broken-mod/mod.toml:10:1: error: unknown key 'author' in mod.toml; did you mean 'authors'?"), "\(check.output)")
        try manifest.write(toFile: folder + "/mod.toml", atomically: true, encoding: .utf8)
        let level = try String(contentsOfFile: folder + "/levels/broken-mod.toml", encoding: .utf8)
        try level.replacingOccurrences(of: "metric = \"net_emissions\"", with: "metric = \"net_emisions\"")
            .write(toFile: folder + "/levels/broken-mod.toml", atomically: true, encoding: .utf8)
        try "function on_start()\n  grnat(1000)\nend\n".write(toFile: folder + "/scripts/broken-mod.lua", atomically: true, encoding: .utf8)
        let second = try netzero(["check", folder], environment: env)
        #expect(second.status == 1)
        #expect(second.output.contains("levels/broken-mod.toml:") && second.output.contains("unknown metric 'net_emisions'; did you mean 'net_emissions'?"), "\(second.output)")
        #expect(second.output.contains("scripts/broken-mod.lua:2:3: error: Lua: 'grnat' is called but not defined"), "\(second.output)")
        // The script's problem is reported once, though the level and the scripts folder both reach it.
        #expect(second.output.components(separatedBy: "'grnat' is called").count == 2, "\(second.output)")
    }

    @Test func aReplayRecordedWithAnotherModVersionIsRefusedByRunAndGrade() throws {
        let data = try temporaryDirectory("replay-mod")
        let env = environment(data: data)
        #expect(try netzero(["new-mod", "tide"], environment: env).status == 0)
        let level = data + "/netzero/mods/tide/levels/tide.toml"
        let replay = data + "/students/li.replay"
        try FileManager.default.createDirectory(atPath: data + "/students", withIntermediateDirectories: true)
        let record = try netzero(["run", level, "--years", "1", "--out", data + "/out", "--record", replay], environment: env)
        #expect(record.status == 0, "\(record.errors)")
        #expect(try String(contentsOfFile: replay, encoding: .utf8).contains("\nmod tide 0.1.0\n"))
        // The same version replays; a newer one is refused by run and by grade.
        #expect(try netzero(["run", level, "--years", "1", "--out", data + "/out2", "--replay", replay], environment: env).status == 0)
        let manifest = data + "/netzero/mods/tide/mod.toml"
        try String(contentsOfFile: manifest, encoding: .utf8).replacingOccurrences(of: "version = \"0.1.0\"", with: "version = \"0.2.0\"")
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        let rerun = try netzero(["run", level, "--years", "1", "--out", data + "/out3", "--replay", replay], environment: env)
        #expect(rerun.status != 0)
        #expect(rerun.errors.contains("li.replay: error: replay needs mod tide 0.1.0, installed 0.2.0"), "\(rerun.errors)")
        let grade = try netzero(["grade", "--one", replay], environment: env)
        #expect(grade.output.contains("\"result\":\"error\"") && grade.output.contains("replay needs mod tide 0.1.0, installed 0.2.0"),
                "\(grade.output)\(grade.errors)")
    }
}
