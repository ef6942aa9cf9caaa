// CatalogTests — every factor has a unit and a source; mistakes are reported with file:line:col.
import CitySim
import Foundation
import Testing
import TOML

/// A copy of the bundled catalog in a temporary folder, with `edit` applied to one file.
func catalogCopy(editing file: String, _ edit: (String) -> String) throws -> String {
    let directory = NSTemporaryDirectory() + "catalog-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for name in try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/Resources/catalog") where name.hasSuffix(".toml") {
        var text = try String(contentsOfFile: repositoryRoot + "/Resources/catalog/" + name, encoding: .utf8)
        if name == file { text = edit(text) }
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }
    return directory
}

func loadErrors(_ directory: String, overrides: [(text: String, file: String)] = []) -> [TOMLError] {
    do {
        _ = try Catalog.load(directory: directory, overrides: overrides)
        return []
    } catch {
        return error.errors
    }
}

/// The 1-based line of the first line of `text` containing `needle`.
func lineNumber(of needle: String, in text: String) -> Int {
    (text.components(separatedBy: "\n").firstIndex { $0.contains(needle) } ?? -1) + 1
}

@Suite("Catalog")
struct CatalogTests {
    @Test func bundledCatalogLoadsAndEveryFactorHasUnitAndSource() {
        #expect(testCatalog.factors.count > 150)
        for factor in testCatalog.factors {
            #expect(!factor.unit.isEmpty, "\(factor.path)")
            #expect(!factor.source.isEmpty, "\(factor.path)")
            #expect(factor.value.isFinite, "\(factor.path)")
        }
        #expect(testCatalog.plant(.coal).emissionFactor > 800)
        #expect(testCatalog.plant(.wind).emissionFactor == 0)
        #expect(testCatalog.names(.plant(.coal)).zh == "燃煤电厂")
    }

    @Test func unknownKeyIsAnErrorAtItsLine() throws {
        let directory = try catalogCopy(editing: "power.toml") {
            $0.replacingOccurrences(of: "[plant.gas]\n", with: "[plant.gas]\nflux_capacitor = { value = 1.0, unit = \"GW\", source = \"film\" }\n")
        }
        let text = try String(contentsOfFile: directory + "/power.toml", encoding: .utf8)
        let errors = loadErrors(directory)
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.message == "unknown key 'plant.gas.flux_capacitor'")
        #expect(error.file.hasSuffix("power.toml"))
        #expect(error.position.line == lineNumber(of: "flux_capacitor", in: text))
        #expect(error.position.column == 1)
        #expect(error.description.contains("power.toml:\(error.position.line):1: error:"))
    }

    @Test func missingUnitAndBareNumbersAreErrors() throws {
        let directory = try catalogCopy(editing: "sinks.toml") {
            $0.replacingOccurrences(of: "max_removal = { value = 8.0, unit = \"tCO2e/ha/yr\", ", with: "max_removal = { value = 8.0, ")
              .replacingOccurrences(of: "[zone.park]\n", with: "[zone.park]\nbonus = 3\n")
        }
        let text = try String(contentsOfFile: directory + "/sinks.toml", encoding: .utf8)
        let messages = loadErrors(directory).map { "\($0.position.line): \($0.message)" }
        #expect(messages.contains("\(lineNumber(of: "max_removal = { value = 8.0, source", in: text)): factor 'zone.forest.max_removal' has no unit")
            || messages.contains { $0.hasSuffix("factor 'zone.forest.max_removal' has no unit") })
        #expect(messages.contains { $0.hasPrefix("\(lineNumber(of: "bonus = 3", in: text)):") && $0.contains("bare number") })
    }

    @Test func wrongUnitIsAnError() throws {
        let directory = try catalogCopy(editing: "power.toml") {
            $0.replacingOccurrences(of: "emission_factor = { value = 847.0, unit = \"gCO2/kWh\"", with: "emission_factor = { value = 0.847, unit = \"kgCO2/kWh\"")
        }
        let errors = loadErrors(directory)
        #expect(errors.contains { $0.message == "'plant.coal.emission_factor' must be in gCO2/kWh, not kgCO2/kWh" })
    }

    @Test func syntaxErrorsCarryTheirPosition() throws {
        let directory = try catalogCopy(editing: "economy.toml") { $0 + "\n[broken\n" }
        let errors = loadErrors(directory)
        let error = try #require(errors.first)
        #expect(error.file.hasSuffix("economy.toml"))
        #expect(error.position.line > 1)
    }

    @Test func overridesReplaceValuesAndKeepUnits() throws {
        let override = "[plant.solar]\nbuild_cost = { value = 850000.0, unit = \"yuan\", source = \"lesson: cheaper solar\" }\n"
        let catalog = try Catalog.load(directory: repositoryRoot + "/Resources/catalog", overrides: [(override, "level.toml")])
        #expect(catalog.plant(.solar).buildCost == 850_000)
        #expect(catalog.factor(path: "plant.solar.build_cost")?.source == "lesson: cheaper solar")
        #expect(catalog.factor(path: "plant.solar.build_cost")?.file == "level.toml")

        let wrongUnit = "[plant.solar]\nbuild_cost = { value = 1.0, unit = \"EUR\", source = \"x\" }\n"
        let errors = loadErrors(repositoryRoot + "/Resources/catalog", overrides: [(wrongUnit, "level.toml")])
        #expect(errors.first?.file == "level.toml")
        #expect(errors.first?.position.line == 2)
        #expect(errors.first?.message.contains("same unit") == true)

        let unknown = "[plant.fusion]\ncapacity = { value = 1.0, unit = \"kW\", source = \"x\" }\n"
        #expect(loadErrors(repositoryRoot + "/Resources/catalog", overrides: [(unknown, "mod.toml")]).first?.message
            == "unknown key 'plant.fusion.capacity': overrides must name an existing catalog entry")
    }
}
