// ReportCommand.swift — `netzero report INPUT --out DIR [--lang en|zh] [--size WxH]`: the
// educator's report (Sources/Report, docs/report.md) from a run directory or a save.
//
// Needs no display: the charts are drawn on the CPU and their text by SDL2_ttf without a window.
// A missing or broken input prints what is wrong (FILE:LINE when there is a line) and exits 1.
import ArgumentParser
import CitySim
import Foundation
import Locale
import Report

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The educator's report: charts (PNG), yearly.csv, objectives.csv and report.md from a run directory or a save.")

    @Argument(help: "A run directory written by `netzero run LEVEL --out DIR`, or a save (.nzsave).") var input: String
    @Option(help: "Output folder.") var out: String
    @Option(help: "Language of titles and labels: en or zh.") var lang = "en"
    @Option(help: "Chart size, WIDTHxHEIGHT (480x320 to 7680x4320).") var size = "1280x720"

    var parsedSize: [Int] { size.split(separator: "x").compactMap { Int($0) } }

    func validate() throws {
        guard Language(rawValue: lang) != nil else { throw ValidationError("--lang is en or zh") }
        let parts = parsedSize
        guard parts.count == 2, ReportOptions.widths.contains(parts[0]), ReportOptions.heights.contains(parts[1]) else {
            throw ValidationError("--size is WIDTHxHEIGHT, from 480x320 to 7680x4320, e.g. 1280x720")
        }
    }

    func run() throws {
        let language = Language(rawValue: lang) ?? .en
        let parts = parsedSize
        do {
            // The bundled catalog (a save's ledger holds its figures; the catalog only rebuilds the
            // city), and the level file, for its title in both languages.
            var catalog: Catalog?
            func bundled() throws -> Catalog {
                if let catalog { return catalog }
                let loaded = try loadCatalog()
                catalog = loaded
                return loaded
            }
            let series = try RunSeries.load(input, catalog: bundled, level: { nameOrFile in
                guard nameOrFile != "reference", let catalog = try? bundled() else { return nil }
                let isFile = nameOrFile.hasSuffix(".toml") || nameOrFile.contains("/")
                guard isFile || FileSystem.exists(ResourceLocator.levelsDirectory + "/" + nameOrFile + ".toml") else { return nil }
                return findLevel(nameOrFile, catalog: catalog).level
            })
            let written = try EducatorReport.write(series, to: out, options: ReportOptions(language: language, width: parts[0], height: parts[1]))
            let names = written.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
            let years = series.years.map { "\($0.year)\($0.partial ? "*" : "")" }
            print("wrote \(out)/: \(names) (\(series.levelID), \(years.first ?? "no years")…\(years.last ?? ""), result: \(series.result))")
        } catch let error as ReportError {
            fail(error.description)
        }
    }
}
