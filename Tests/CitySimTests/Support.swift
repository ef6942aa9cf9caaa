// Support.swift — small cities built by hand for the simulation's tests.
import CitySim
import ECS
import Foundation

/// The bundled catalog, loaded once (its path is found from the test bundle's location).
let testCatalog: Catalog = {
    do {
        return try Catalog.load(directory: repositoryRoot + "/Resources/catalog")
    } catch {
        fatalError("bundled catalog failed to load: \(error)")
    }
}()

let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    return FileManager.default.currentDirectoryPath
}()

/// A strip town: one road along row 1 from x = 0 to width − 1, structures on row 0 and row 2.
func stripTown(_ structures: [(Structure, Int, Int)], width: Int = 16, seed: UInt64 = 1, occupancy: Double = 0.9,
               budget: Double = 1e12, greenAge: Double? = nil) -> City {
    var level = LevelSetup(info: LevelInfo(id: "test", title: "Test town", seed: seed, initialOccupancy: occupancy),
                           width: width, height: 5, budget: budget)
    level.info.greenAgeYears = greenAge
    for x in 0..<width { level.placements.append((.road, x, 1)) }
    for (structure, x, y) in structures { level.placements.append((structure, x, y)) }
    return City(level: level, catalog: testCatalog)
}

func entity(at x: Int, _ y: Int, in city: City) -> Entity {
    let map = city.view.map
    return map.occupant[map.index(x, y)]
}

/// Relative closeness for sums of many floating-point terms.
func close(_ a: Double, _ b: Double, tolerance: Double = 1e-9) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(a), abs(b))
}

/// Levels/sandbox.toml, the default level.
func sandboxLevel() -> LevelDefinition {
    let result = LevelFile.load(path: repositoryRoot + "/Levels/sandbox.toml", catalog: testCatalog)
    guard let level = result.level else { fatalError("Levels/sandbox.toml: \(result.diagnostics)") }
    return level
}
