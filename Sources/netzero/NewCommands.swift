// NewCommands.swift — `netzero new-level NAME` and `netzero new-mod NAME`: commented scaffolds
// that pass `netzero check`, to start a level or a mod from (docs/modding.md).
//
//   netzero new-level my-town            → $XDG_DATA_HOME/netzero/levels/my-town.toml
//   netzero new-mod my-mod               → $XDG_DATA_HOME/netzero/mods/my-mod/…
//   … --in FOLDER                        → FOLDER/my-town.toml, FOLDER/my-mod/…
//
// Nothing is overwritten: a name already taken is refused. Files are written atomically.
import ArgumentParser
import CitySim
import Foundation

struct NewLevel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "new-level",
        abstract: "Write a commented level file to start from (in your levels folder, or --in FOLDER).")

    @Argument(help: "The level's name: lowercase letters, digits, '-' and '_' (the file is NAME.toml).") var name: String
    @Option(help: "The folder to write it in (default: $XDG_DATA_HOME/netzero/levels).") var `in`: String?

    func run() throws {
        try Scaffold.checkName(name, what: "level")
        let folder = self.in ?? UserDirectories.levels(environment: ProcessInfo.processInfo.environment)
        let path = folder + "/" + name + ".toml"
        try Scaffold.write([(path, Scaffold.level(name: name, scriptFile: nil))])
        print("wrote \(path)")
        print("next: edit it, then `netzero check \(path)` and `netzero play \(self.in == nil ? "user/" + name : path)`")
    }
}

struct NewMod: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "new-mod",
        abstract: "Write a commented mod folder to start from (in your mods folder, or --in FOLDER).")

    @Argument(help: "The mod's id: lowercase letters, digits, '-' and '_' (the folder's name).") var name: String
    @Option(help: "The folder to write it in (default: $XDG_DATA_HOME/netzero/mods).") var `in`: String?

    func run() throws {
        try Scaffold.checkName(name, what: "mod")
        let folder = (self.in ?? UserDirectories.mods(environment: ProcessInfo.processInfo.environment)) + "/" + name
        if FileSystem.exists(folder) {
            throw Scaffold.Refusal("\(folder) already exists; choose another name or remove it first")
        }
        try Scaffold.write([
            (folder + "/mod.toml", Scaffold.manifest(id: name)),
            (folder + "/levels/\(name).toml", Scaffold.level(name: name, scriptFile: "../scripts/\(name).lua")),
            (folder + "/scripts/\(name).lua", Scaffold.script(name: name)),
            (folder + "/catalog/overrides.toml", Scaffold.catalog),
            (folder + "/locale/en.toml", Scaffold.locale(name: name, chinese: false)),
            (folder + "/locale/zh.toml", Scaffold.locale(name: name, chinese: true)),
        ])
        print("wrote \(folder)/ (mod.toml, levels/, scripts/, catalog/, locale/)")
        print("next: edit them, then `netzero check \(folder)`; the game's Levels menu lists the mod's level")
    }
}

enum Scaffold {
    struct Refusal: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func checkName(_ name: String, what: String) throws {
        guard ModPackage.isValidID(name) else {
            throw Refusal("a \(what) name is 1–64 lowercase letters, digits, '-' or '_', starting with a letter or digit, not '\(name)'")
        }
    }

    /// Writes every file, or none when one exists already.
    static func write(_ files: [(path: String, text: String)]) throws {
        for (path, _) in files where FileSystem.exists(path) {
            throw Refusal("\(path) already exists; choose another name or remove it first")
        }
        for (path, text) in files {
            do {
                try FileSystem.makeDirectory((path as NSString).deletingLastPathComponent)
                try FileSystem.writeAtomically(text, to: path)
            } catch {
                throw Refusal("\(path): cannot write: \(error)")
            }
        }
    }

    static var gameSeries: String { Simulation.version.split(separator: ".").prefix(2).joined(separator: ".") }

    static func manifest(id: String) -> String {
        """
        # mod.toml — who the mod is. The folder must be named after `id`. docs/modding.md explains each key.
        id = "\(id)"
        # Raise the version when you publish a change: replays record it.
        version = "0.1.0"
        # The Levels menu shows the title in the player's language.
        title_en = "\(id)"
        title_zh = "\(id)"
        summary_en = "What the mod is about, in one sentence."
        summary_zh = "用一句话说明这个模组。"
        authors = ["Your name"]
        # NetZero City versions it works with: "\(gameSeries)" is every \(gameSeries).x.
        game_versions = ["\(gameSeries)"]

        # Mods this one needs, with the oldest version that will do, e.g. green-points = "1.0".
        # They load before this one; a missing one stops this mod with a message.
        [dependencies]

        """
    }

    static func level(name: String, scriptFile: String?) -> String {
        let id = name.replacingOccurrences(of: "-", with: "_")
        let script = scriptFile.map {
            """
            # The level's Lua script, in its own file (relative to this one); docs/lua-api.md lists
            # the hooks and functions. `netzero check` reports its errors at that file's lines.
            script_file = "\($0)"

            """
        } ?? """
            # A Lua script may follow here as script = ''' … ''' (before the first [table]), or in a
            # file beside this one: script_file = "NAME.lua". See docs/modding.md.

            """
        return """
        # \(name).toml — a NetZero City level. The format is described in docs/levels.md.
        # Check it with `netzero check FILE` and play it with `netzero play FILE`.
        format = \(LevelFile.formatVersion)                           # the level-file format this game writes
        \(script)
        [level]
        id = "\(id)"                    # unique among levels: replays and grading find a level by it
        title_en = "My level"
        title_zh = "我的关卡"
        summary_en = "A small river town. Reach net zero by 2030."
        summary_zh = "一座河边小镇。在2030年前实现净零。"
        author = "Your name"
        version = 1                     # the level's own version: raise it when you change the level
        seed = 1                        # the weather and the town's people follow it
        start_year = 2025
        budget = 1_000_000_000          # yuan
        occupancy = 0.9                 # share of homes filled at the start

        [map]
        # One character per tile (docs/levels.md lists them): . land, ~ water, = road, H homes,
        # O offices, c coal plant, s solar, w wind, f forest. A legend entry sets a density.
        legend = { "H" = "residential:0.3", "O" = "office:0.4" }
        rows = \"\"\"
        ..c.............
        ~~~~~~~~~~~~~~~~
        ................
        ================
        ..HHHH..OOO.....
        ..HHHH..OOO.....
        ..=.......=.....
        .ss..ww...ff....
        \"\"\"

        # What the player may build (leave the table out to allow every tool).
        # [tools]
        # allowed = ["road", "residential", "solar_plant", "wind_plant", "forest", "demolish"]

        [[objectives]]
        id = "net_zero"
        title_en = "Net zero by 2030"
        title_zh = "2030年前实现净零"
        metric = "net_emissions"        # tCO2e in the year; docs/levels.md lists every metric
        at_most = 0
        by = 2030

        [[hints]]
        text_en = "Replace the coal plant with wind and solar, and plant forests to absorb the rest."
        text_zh = "用风电和光伏取代燃煤电厂，再种森林吸收剩余的排放。"

        """
    }

    static func script(name: String) -> String {
        """
        -- \(name).lua — the script of levels/\(name).toml (its script_file).
        -- Hooks and functions: docs/lua-api.md. Errors stop the script and point at this file's lines.

        function on_start()
          -- text(key) gives a string of locale/en.toml and zh.toml, in both languages.
          message(text("\(name).welcome"))
        end

        function on_year(year)
          if metric("net_emissions") <= 0 then
            advisor(text("\(name).net_zero"))
          end
        end

        """
    }

    static let catalog = """
        # Catalog overrides for this mod's levels: the same tables as Resources/catalog/*.toml, and
        # each value keeps its unit and a real source. Two mods that set one entry two ways are
        # reported by name. An example (remove the # to use it):
        #
        # [plant.solar]
        # build_cost = { value = 1590000.0, unit = "yuan", source = "CPIA 《中国光伏产业发展路线图（2023年版）》 distributed PV ≈3.18 yuan/W x 500 kW" }

        """

    static func locale(name: String, chinese: Bool) -> String {
        chinese ? """
            # 本模组的中文字符串；脚本用 text("\(name).KEY") 读取。
            [\(name)]
            welcome = "欢迎！请在2030年前实现净零。"
            net_zero = "今年实现了净零！"

            """ : """
            # The mod's strings in English; scripts read them with text("\(name).KEY").
            [\(name)]
            welcome = "Welcome! Reach net zero by 2030."
            net_zero = "Net zero this year!"

            """
    }
}
