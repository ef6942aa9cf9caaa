// InputLimits.swift — the bounds every number from a level, a catalog override or a script is
// checked against where it enters, and the size limits of a city (docs/security.md).
//
// These are the game's limits, not claims about the world: a catalog factor outside them is
// refused because the arithmetic downstream (integer head counts, money, Int32 capacities)
// would overflow or divide by zero, not because the value is implausible.

/// Bounds on catalog factors by unit: finite, within the range of its unit.
public enum CatalogLimits {
    /// The largest magnitude of any factor: the bound a level's budget has too, far below
    /// where money loses whole yuan in a Double (9e15) and where products overflow.
    public static let largestMagnitude = 1e15

    /// The allowed range of a factor in `unit`.
    public static func range(unit: String) -> ClosedRange<Double> {
        switch unit {
        case "degC": return -90...60  // air temperatures
        case "degN": return -90...90
        case "fraction", "fraction/h", "fraction/day", "fraction/yr", "ratio": return 0...100
        case "years": return 0...1000
        case "days": return 0...366
        case "min": return 0...1440
        // Head counts become Int32 capacities and per-citizen loops: at most ten million.
        case "persons", "jobs", "beds/person": return 0...1e7
        default: return 0...largestMagnitude
        }
    }

    /// Why `value` is not a valid factor in `unit`, or nil.
    public static func problem(_ path: String, unit: String, value: Double) -> String? {
        guard value.isFinite else { return "'\(path)' must be a finite number, not \(value)" }
        // Validation ranges are published bands the model is checked against, not inputs to it:
        // a tolerance on a difference may be negative.
        if path.hasPrefix("validation.") { return nil }
        let allowed = range(unit: unit)
        guard allowed.contains(value) else {
            return "'\(path)' = \(value) \(unit) is outside the game's limits for \(unit) (\(allowed.lowerBound)…\(allowed.upperBound))"
        }
        return nil
    }
}

/// The size limits of a city. A level over them is refused at load (and by `netzero check`)
/// with the reason; growth stops at the population limit while playing.
public enum CityLimits {
    /// Residents a city may house: ten times the reference city's 100,500. Each resident costs
    /// about 650–700 bytes of simulation state (a 128 × 128 map of dense housing reached 4
    /// million people and 2.6 GB; a map at this limit peaked at 570 MB over a year), so this
    /// keeps a run under 1 GB.
    public static let maximumPopulation = 1_000_000
    /// Jobs a level may place, for the same reason (each worker is a resident).
    public static let maximumJobs = 1_000_000

    /// Why a level's placements exceed the limits, or nil: the homes and jobs its map places,
    /// at the catalog's occupants and jobs per building.
    public static func problem(placements: [(structure: Structure, x: Int, y: Int)], catalog: Catalog) -> String? {
        var homes = 0.0
        var jobs = 0.0
        for placement in placements {
            guard case .building(let kind, let density) = placement.structure else { continue }
            let spec = catalog.building(kind)
            if kind == .residential {
                homes += spec.occupants * density
            } else {
                jobs += spec.jobs * density
            }
        }
        if homes > Double(maximumPopulation) {
            return "the map houses \(Int(homes.rounded())) residents; a city may house at most \(maximumPopulation) "
                + "(about 650 bytes of memory each: lower the densities or use fewer homes)"
        }
        if jobs > Double(maximumJobs) {
            return "the map places \(Int(jobs.rounded())) jobs; a city may have at most \(maximumJobs)"
        }
        return nil
    }
}
