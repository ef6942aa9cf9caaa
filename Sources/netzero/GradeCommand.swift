// GradeCommand.swift — `netzero grade DIR --out results.csv`: every student's replay or save in a
// folder, replayed headless, one CSV row per student, and a summary page for the teacher.
//
// Each file is graded in its own child process (`netzero grade --one FILE`), up to `--jobs` at once
// (the machine's cores by default): the runs are independent and deterministic, a crash in one is
// that student's error row, and the rows are written in file-name order, so the CSV is the same
// whatever the order the children finished in.
//
// A save is graded by re-running the player's commands it recorded (its command log) on the level
// from the start: its stored ledger is never trusted. A replay is run as `netzero run --replay`
// runs it. Each run lasts until the level's last objective deadline (or, for a level without
// objectives, as long as the student played), so a student who stopped early is graded on what
// their city does by the deadline.
import ArgumentParser
import CitySim
import Foundation
import Locale
import Report

/// One student's graded file: what `grade --one` prints as JSON, and one row of results.csv.
struct GradeRow: Codable, Sendable {
    struct ObjectiveResult: Codable, Sendable {
        var id: String
        var required: Bool
        var status: String
        var value: Double
        var target: Double
        var unit: String
        /// The metric's name (docs/levels.md), for showing the value in its unit.
        var metric: String
    }

    var file: String
    var student = ""
    var level = ""
    var title = ""
    var titleZH = ""
    /// won, lost, undecided, or error.
    var result = "error"
    var objectives: [ObjectiveResult] = []
    /// Game years the student's recording covers, and years the grading run simulated.
    var yearsPlayed = 0.0
    var yearsRun = 0
    /// 16 hex digits: `ReplayLog.hash(of:)` of the replay file's bytes (of the replay text rebuilt from a save).
    var replayHash = ""
    /// Why the row is an error; or what differs from the recording (another level file, catalog or model).
    var reason = ""
    /// The student's report folder, relative to the summary page.
    var reportFolder = ""

    static let header = ["file", "student", "level", "result", "years_played", "years_run", "replay_hash", "reason"]

    func cells(objectiveColumns: Int) -> [String] {
        var cells = [file, student, level, result, Fixed.format(yearsPlayed, 2), String(yearsRun), replayHash, reason]
        for index in 0..<objectiveColumns {
            if index < objectives.count {
                let objective = objectives[index]
                cells += [objective.id, objective.status, Fixed.format(objective.value, 4), Fixed.format(objective.target, 4), objective.unit]
            } else {
                cells += ["", "", "", "", ""]
            }
        }
        return cells
    }

    static func header(objectiveColumns: Int) -> [String] {
        header + (0..<objectiveColumns).flatMap { index in
            ["id", "status", "value", "target", "unit"].map { "objective\(index + 1)_\($0)" }
        }
    }
}

struct Grade: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Grade a class: replay every student's replay (.replay) or save (.nzsave) in a folder, in parallel.",
        discussion: """
            Writes one CSV row per file (student, level, result, each objective's value, years played, the replay's \
            hash; a file that cannot be graded is a row with the reason) and a summary page (summary.md) with each \
            student's report charts. Saves are graded by re-running the commands they recorded.
            """)

    @Argument(help: "The folder of students' files (.replay and .nzsave).") var directory: String?
    @Option(help: "The CSV to write.") var out = "results.csv"
    @Option(help: "The summary page's folder (default: beside the CSV, named after it, e.g. results-summary/).") var summary: String?
    @Option(help: "Language of the summary page and charts: en or zh.") var lang = "en"
    @Option(help: "Files graded at once (default: the machine's cores).") var jobs: Int?
    @Option(help: "Size of each student's report charts, WIDTHxHEIGHT (480x320 to 7680x4320).") var size = "1280x720"
    @Option(help: .hidden) var one: String?
    @Option(help: .hidden) var reportDirectory: String?

    func validate() throws {
        guard Language(rawValue: lang) != nil else { throw ValidationError("--lang is en or zh") }
        if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs must be between 1 and 256") }
        let parts = chartSize
        guard parts.count == 2, ReportOptions.widths.contains(parts[0]), ReportOptions.heights.contains(parts[1]) else {
            throw ValidationError("--size is WIDTHxHEIGHT, from 480x320 to 7680x4320, e.g. 1280x720")
        }
        if one == nil && directory == nil { throw ValidationError("give the folder of students' files: netzero grade DIR --out results.csv") }
    }

    var chartSize: [Int] { size.split(separator: "x").compactMap { Int($0) } }

    func run() throws {
        let language = Language(rawValue: lang) ?? .en
        let options = ReportOptions(language: language, width: chartSize[0], height: chartSize[1])
        if let one {
            let row = GradeOne.grade(path: one, reportDirectory: reportDirectory, options: options)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            FileHandle.standardOutput.write(try encoder.encode(row) + Data("\n".utf8))
            return
        }
        guard let directory else { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            fail("\(directory): error: not a folder (give the folder that holds the students' .replay and .nzsave files)")
        }
        let files = FileSystem.list(directory).sorted().filter { name in
            !name.hasPrefix(".") && (name.hasSuffix(".replay") || name.hasSuffix(".nzsave"))
        }
        let summaryDirectory = summary ?? (out as NSString).deletingPathExtension + "-summary"
        try FileSystem.makeDirectory(summaryDirectory + "/students")
        let workers = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        let started = Date()
        let rows = ParallelGrader(executable: Grade.executablePath, workers: workers, arguments: ["--lang", lang, "--size", size])
            .grade(files.map { directory + "/" + $0 }, summaryDirectory: summaryDirectory)
        let columns = rows.map(\.objectives.count).max() ?? 0
        let csv = ([GradeRow.header(objectiveColumns: columns)] + rows.map { $0.cells(objectiveColumns: columns) })
            .map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
        let outDirectory = (out as NSString).deletingLastPathComponent
        if !outDirectory.isEmpty { try FileSystem.makeDirectory(outDirectory) }
        try FileSystem.writeAtomically(csv, to: out)
        try FileSystem.writeAtomically(GradeSummary.markdown(rows, language: language), to: summaryDirectory + "/summary.md")
        let count = { (result: String) in rows.filter { $0.result == result }.count }
        let seconds = Date().timeIntervalSince(started)
        print("graded \(rows.count) file(s) in \(Fixed.format(seconds, 1)) s on \(workers) worker(s): \(count("won")) won, \(count("lost")) lost, "
              + "\(count("undecided")) undecided, \(count("error")) error(s); wrote \(out) and \(summaryDirectory)/summary.md")
    }

    /// This program, to start the children with.
    static var executablePath: String {
        Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// Runs `netzero grade --one FILE` for each file, `workers` at a time, and collects the rows in
/// the files' order.
final class ParallelGrader: @unchecked Sendable {
    let executable: String
    let workers: Int
    /// Passed on to each child (language, chart size).
    let arguments: [String]
    private let lock = NSLock()
    /// Guarded by `lock`: the next file to start, and the rows so far.
    private var next = 0
    private var rows: [GradeRow?] = []

    init(executable: String, workers: Int, arguments: [String]) {
        self.executable = executable
        self.workers = workers
        self.arguments = arguments
    }

    func grade(_ paths: [String], summaryDirectory: String) -> [GradeRow] {
        rows = [GradeRow?](repeating: nil, count: paths.count)
        next = 0
        let group = DispatchGroup()
        for _ in 0..<min(workers, paths.count) {
            DispatchQueue.global().async(group: group) {
                while true {
                    self.lock.lock()
                    let index = self.next
                    self.next += 1
                    self.lock.unlock()
                    guard index < paths.count else { return }
                    let reportFolder = "students/" + String(format: "%03d-", index + 1)
                        + ((paths[index] as NSString).lastPathComponent as NSString).deletingPathExtension
                    var row = self.child(paths[index], reportDirectory: summaryDirectory + "/" + reportFolder)
                    if row.result != "error" { row.reportFolder = reportFolder }
                    self.lock.lock()
                    self.rows[index] = row
                    self.lock.unlock()
                }
            }
        }
        group.wait()
        return rows.map { $0! }
    }

    /// One child's row; a child that fails without a row gives an error row with its last message.
    func child(_ path: String, reportDirectory: String) -> GradeRow {
        let file = (path as NSString).lastPathComponent
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["grade", "--one", path, "--report-directory", reportDirectory] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        var row = GradeRow(file: file)
        do {
            try process.run()
        } catch {
            row.reason = "could not start the grader: \(error)"
            return row
        }
        // Both pipes are drained at once, so a child that writes a lot to one cannot block on it.
        nonisolated(unsafe) var outData = Data(), errData = Data()
        let drained = DispatchGroup()
        DispatchQueue.global().async(group: drained) { outData = output.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: drained) { errData = errors.fileHandleForReading.readDataToEndOfFile() }
        drained.wait()
        process.waitUntilExit()
        let lastLine = String(decoding: outData, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        if process.terminationStatus == 0, let decoded = try? JSONDecoder().decode(GradeRow.self, from: Data(lastLine.utf8)) {
            return decoded
        }
        let message = String(decoding: errData, as: UTF8.self).split(separator: "\n").last.map(String.init)
        if process.terminationReason == .uncaughtSignal {
            row.reason = "the grader stopped on signal \(process.terminationStatus)" + (message.map { ": " + $0 } ?? "")
        } else {
            row.reason = message ?? "the grader exited with status \(process.terminationStatus)"
        }
        return row
    }
}

/// Grading one file, in the child process.
enum GradeOne {
    struct Problem: Error { let message: String }

    static func grade(path: String, reportDirectory: String?, options: ReportOptions) -> GradeRow {
        var row = GradeRow(file: (path as NSString).lastPathComponent)
        do {
            try grade(path: path, into: &row, reportDirectory: reportDirectory, options: options)
        } catch let problem as Problem {
            row.result = "error"
            row.reason = problem.message
        } catch {
            row.result = "error"
            row.reason = "\(path): error: \(error)"
        }
        return row
    }

    static func grade(path: String, into row: inout GradeRow, reportDirectory: String?, options: ReportOptions) throws {
        let catalog = try loadCatalog()
        guard let bytes = FileSystem.read(path) else { throw Problem(message: "\(path): error: cannot read the file") }
        // The student's commands, and the level they were played on.
        let log: ReplayLog
        var levelFileHint: String?
        if RunSeries.isSave(path) {
            let loaded: LoadedGame
            do {
                loaded = try SaveGame.load(from: path, catalog: catalog)
            } catch {
                throw Problem(message: "\(path): error: \(error)")
            }
            log = ReplayLog(city: loaded.city)
            levelFileHint = loaded.header.levelFile
            row.replayHash = hex(ReplayLog.hash(of: Array(log.text.utf8)))
        } else {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw Problem(message: "\(path):1:1: error: not a replay: the file is not UTF-8 text")
            }
            let parsed = ReplayLog.parse(text, file: path)
            guard let parsedLog = parsed.log else {
                throw Problem(message: parsed.diagnostics.first?.description ?? "\(path):1:1: error: not a replay log")
            }
            log = parsedLog
            row.replayHash = hex(ReplayLog.hash(of: bytes))
        }
        row.level = log.levelID
        let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        row.student = (log.player?.isEmpty == false ? log.player! : stem)
        guard let levelPath = findLevel(id: log.levelID, hint: levelFileHint, catalog: catalog) else {
            throw Problem(message: "\(path): error: no level with id '\(log.levelID)' in \(ResourceLocator.levelsDirectory), its lessons/, your levels folder or an installed mod")
        }
        var (level, levelCatalog) = try loadLevel(levelPath, seed: log.seed)
        if let problem = log.modProblems(installed: level.mods).first {
            throw Problem(message: "\(path): error: \(problem)")
        }
        level.setup.info.seed = log.seed
        row.title = level.title.en
        row.titleZH = level.title.zh
        let startYear = level.setup.info.startYear
        let playedTicks = log.endTick ?? log.commands.last?.tick ?? 0
        row.yearsPlayed = Double(playedTicks) / (24 * 365.2425)
        let deadlineYears = (level.objectives.map(\.deadlineYear).max()).map { $0 - startYear + 1 } ?? 0
        let years = min(200, max(1, deadlineYears, Int(row.yearsPlayed.rounded(.up))))
        row.yearsRun = years

        let city = City(level: level, catalog: levelCatalog)
        let script = try attachScript(level, to: city)
        let runDirectory = (reportDirectory ?? NSTemporaryDirectory() + "netzero-grade-\(ProcessInfo.processInfo.processIdentifier)") + "/run"
        let unapplied = try HeadlessRun.run(city, options: RunOptions(years: years, outputDirectory: runDirectory), replay: log)
        var notes = log.differences(levelHash: levelFileHash(level), catalog: city.catalog,
                                    journal: city.world.resource(StateJournal.self)!)
        if unapplied > 0 { notes.append("\(unapplied) command(s) dated after the run's end were not applied") }
        if script?.isStopped == true { notes.append("the level's script was stopped: " + (script?.problems.first ?? "")) }
        row.reason = notes.joined(separator: "; ")

        let rules = city.view.rules ?? LevelRules()
        row.result = rules.result.rawValue
        row.objectives = rules.objectives.indices.map { index in
            let objective = rules.objectives[index]
            return GradeRow.ObjectiveResult(id: objective.id, required: objective.required, status: rules.statuses[index].rawValue,
                                            value: rules.values[index], target: objective.target, unit: objective.metric.unit,
                                            metric: objective.metric.rawValue)
        }
        if let reportDirectory {
            // The student's own report (the charts `netzero report` draws), from the grading run.
            do {
                let series = try RunSeries.load(runDirectory, catalog: { catalog }, level: { _ in level })
                _ = try EducatorReport.write(series, to: reportDirectory, options: options)
            } catch {
                row.reason += (row.reason.isEmpty ? "" : "; ") + "no report: \(error)"
            }
        } else {
            try? FileManager.default.removeItem(atPath: (runDirectory as NSString).deletingLastPathComponent)
        }
    }

    /// The level file whose id is `id`: the save's own file when it still has that id, else the
    /// first listed level (Levels/, lessons/, the player's levels, then the mods' in load order;
    /// LevelIndex) that has it.
    static func findLevel(id: String, hint: String?, catalog: Catalog) -> String? {
        if let hint, !hint.isEmpty, FileSystem.exists(hint), LevelFile.load(path: hint, catalog: catalog).level?.setup.info.id == id {
            return hint
        }
        if BuiltinLevels.names.contains(id), id == "reference" { return id }
        let environment = ProcessInfo.processInfo.environment
        let (listings, _) = LevelIndex.list(userLevels: UserDirectories.levels(environment: environment),
                                            userMods: UserDirectories.mods(environment: environment))
        for listing in listings where LevelTitles.levelID(of: listing.path) == id {
            if LevelFile.load(path: listing.path, catalog: catalog).level != nil { return listing.path }
        }
        return nil
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// The teacher's summary page: counts, each level's results, and each student's row with their charts.
enum GradeSummary {
    static func markdown(_ rows: [GradeRow], language: Language) -> String {
        let zh = language == .zh
        let strings = Strings(language: language)
        func t(_ en: String, _ zhText: String) -> String { zh ? zhText : en }
        func resultName(_ result: String) -> String {
            guard zh else { return result }
            return ["won": "胜利", "lost": "失败", "undecided": "未定", "error": "错误"][result] ?? result
        }
        let count = { (result: String) in rows.filter { $0.result == result }.count }
        var lines = [
            "# " + t("Class results", "全班成绩"), "",
            t("\(rows.count) file(s) graded: \(count("won")) won, \(count("lost")) lost, \(count("undecided")) undecided, \(count("error")) error(s).",
              "共评分 \(rows.count) 个文件：胜利 \(count("won"))，失败 \(count("lost"))，未定 \(count("undecided"))，错误 \(count("error"))。"),
            "",
            t("Each student's commands were replayed from the level's start to its last deadline; saves were graded by re-running their recorded commands, not by their stored figures.",
              "每位学生的操作都从关卡开始重放到最后期限；存档按其记录的操作重新运行评分，而不采用存档中保存的数字。"),
            "", "## " + t("By level", "按关卡"), "",
            "| " + t("Level", "关卡") + " | " + t("Students", "学生") + " | " + t("Won", "胜利") + " | " + t("Lost", "失败") + " | "
                + t("Undecided", "未定") + " |",
            "|---|---:|---:|---:|---:|",
        ]
        var levels: [String] = []
        for row in rows where row.result != "error" && !levels.contains(row.level) { levels.append(row.level) }
        for level in levels.sorted() {
            let group = rows.filter { $0.level == level && $0.result != "error" }
            let title = zh ? group[0].titleZH : group[0].title
            lines.append("| \(cell(title.isEmpty ? level : title)) | \(group.count) | \(group.filter { $0.result == "won" }.count) | "
                         + "\(group.filter { $0.result == "lost" }.count) | \(group.filter { $0.result == "undecided" }.count) |")
        }
        lines += ["", "## " + t("Students", "学生"), "",
                  "| " + t("Student", "学生") + " | " + t("File", "文件") + " | " + t("Level", "关卡") + " | " + t("Result", "结果") + " | "
                    + t("Objectives", "目标") + " | " + t("Years played", "已玩年数") + " | " + t("Notes", "说明") + " |",
                  "|---|---|---|---|---|---:|---|"]
        for row in rows {
            let objectives = row.objectives.map { objective in
                "\(objective.id) \(ReportCharts.metricValue(objective.value, metric: objective.metric, strings: strings)) (\(strings.status(objective.status)))"
            }.joined(separator: "; ")
            let title = zh ? row.titleZH : row.title
            lines.append("| \(cell(row.student)) | \(cell(row.file)) | \(cell(title.isEmpty ? row.level : title)) | \(resultName(row.result)) | "
                         + "\(cell(objectives)) | \(Fixed.format(row.yearsPlayed, 2)) | \(cell(row.reason)) |")
        }
        for row in rows where !row.reportFolder.isEmpty {
            lines += ["", "### \(markdownText(row.student)) — \(markdownText(zh ? row.titleZH : row.title)) (\(resultName(row.result)))", "",
                      "![\(t("Removals and net emissions", "清除量与净排放"))](\(row.reportFolder)/removals_and_net.png) "
                        + "![\(t("Objectives", "目标"))](\(row.reportFolder)/objectives.png)", "",
                      "[\(t("Full report", "完整报告"))](\(row.reportFolder)/report.md)"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func cell(_ text: String) -> String { markdownText(text).replacingOccurrences(of: "|", with: "\\|") }

    static func markdownText(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "<", with: "&lt;")
    }
}
