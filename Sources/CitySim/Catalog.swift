// Catalog.swift — every factor the simulation uses, with its unit and its source.
//
// [SECTION] Factors and the factor table
// [SECTION] Loading and overriding
// [SECTION] Typed specifications (what the systems read)
//
// The catalog is `Resources/catalog/*.toml`, human-editable. Every number is written as
// `{ value = …, unit = "…", source = "…" }` (arrays: `values = […]`). Loading checks it the way
// the code reads it: a key the code never reads is an unknown key, a factor without a unit or
// with the wrong unit is an error, and every error names `file:line:col`. Modders override
// entries by giving the same table path in another file; the unit must match.
//
// Systems read plain `Double`s from the typed specs; each also keeps the `FactorID` it came
// from, so that the ledger can say which factor and which source produced every tonne.
import TOML

// MARK: - [SECTION] Factors and the factor table

/// Index of a factor in `Catalog.factors`.
public struct FactorID: Hashable, Sendable, Comparable {
    public let raw: UInt16
    public static let none = FactorID(raw: .max)
    public static func < (a: FactorID, b: FactorID) -> Bool { a.raw < b.raw }
}

public struct Factor: Sendable, Equatable {
    /// Dotted table path and key, e.g. `plant.coal.emission_factor`.
    public let path: String
    public var value: Double
    /// Set for array factors (profiles, monthly climate); `value` is then their mean.
    public var values: [Double]
    public let unit: String
    public var source: String
    /// Where the value currently in force was written.
    public var file: String
    public var line: Int
    public var column: Int

    public var location: String { "\(file):\(line):\(column)" }
}

public struct CatalogError: Error, Sendable, CustomStringConvertible, Equatable {
    public var errors: [TOMLError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

// MARK: - [SECTION] Loading and overriding

/// Raw catalog contents before the typed specs are built: every factor and name by path.
struct CatalogSource {
    var factors: [Factor] = []
    var factorIndex: [String: Int] = [:]
    var strings: [String: (value: String, file: String, position: SourcePosition)] = [:]
    /// Keys in document order with their positions, for unknown-key reports.
    var keyOrder: [(path: String, file: String, position: SourcePosition)] = []
    var tablePositions: [String: (file: String, position: SourcePosition)] = [:]
    var errors: [TOMLError] = []

    mutating func add(document: TOMLTable, file: String, isOverride: Bool) {
        walk(document, prefix: "", file: file, isOverride: isOverride)
    }

    private mutating func walk(_ table: TOMLTable, prefix: String, file: String, isOverride: Bool) {
        for (key, node) in table.entries {
            let path = prefix.isEmpty ? key : prefix + "." + key
            let keyPosition = node.keyPosition ?? node.position
            switch node.value {
            case .table(let sub) where sub.contains("unit") || sub.contains("value") || sub.contains("values") || sub.contains("source"):
                addFactor(path: path, table: sub, file: file, position: keyPosition, isOverride: isOverride)
            case .table(let sub):
                if tablePositions[path] == nil { tablePositions[path] = (file, sub.position) }
                walk(sub, prefix: path, file: file, isOverride: isOverride)
            case .string(let text):
                if isOverride && strings[path] == nil {
                    errors.append(TOMLError(file: file, position: keyPosition, message: "unknown key '\(path)': overrides must name an existing catalog entry"))
                    continue
                }
                if strings[path] == nil { keyOrder.append((path, file, keyPosition)) }
                strings[path] = (text, file, keyPosition)
            case .integer, .float:
                errors.append(TOMLError(file: file, position: node.position, message:
                    "'\(path)' is a bare number; write it as { value = …, unit = \"…\", source = \"…\" } so that it has a unit and a source"))
            default:
                errors.append(TOMLError(file: file, position: node.position, message: "'\(path)' has an unexpected \(node.value.typeName)"))
            }
        }
    }

    private mutating func addFactor(path: String, table: TOMLTable, file: String, position: SourcePosition, isOverride: Bool) {
        for (key, node) in table.entries where !["value", "values", "unit", "source"].contains(key) {
            errors.append(TOMLError(file: file, position: node.keyPosition ?? node.position,
                                    message: "unknown key '\(key)' in factor '\(path)' (expected value or values, unit, source)"))
        }
        guard let unit = table.string("unit") else {
            errors.append(TOMLError(file: file, position: table.position, message: "factor '\(path)' has no unit"))
            return
        }
        guard let source = table.string("source"), !source.isEmpty else {
            errors.append(TOMLError(file: file, position: table.position, message: "factor '\(path)' has no source"))
            return
        }
        var value = 0.0
        var values: [Double] = []
        if let scalar = table["value"] {
            guard let number = scalar.value.doubleValue, number.isFinite else {
                errors.append(TOMLError(file: file, position: scalar.position, message: "'\(path)' value must be a finite number"))
                return
            }
            value = number
        } else if let array = table.array("values") {
            for element in array {
                guard let number = element.value.doubleValue, number.isFinite else {
                    errors.append(TOMLError(file: file, position: element.position, message: "'\(path)' values must be finite numbers"))
                    return
                }
                values.append(number)
            }
            value = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        } else {
            errors.append(TOMLError(file: file, position: table.position, message: "factor '\(path)' has neither value nor values"))
            return
        }
        for number in values.isEmpty ? [value] : values {
            if let problem = CatalogLimits.problem(path, unit: unit, value: number) {
                errors.append(TOMLError(file: file, position: table["value"]?.position ?? table["values"]?.position ?? position,
                                        message: problem))
                return
            }
        }
        if let existing = factorIndex[path] {
            let old = factors[existing]
            guard old.unit == unit else {
                errors.append(TOMLError(file: file, position: table.position,
                                        message: "'\(path)' is in \(old.unit) (\(old.location)); an override must use the same unit, not \(unit)"))
                return
            }
            if !old.values.isEmpty && values.count != old.values.count {
                errors.append(TOMLError(file: file, position: table.position,
                                        message: "'\(path)' needs \(old.values.count) values, not \(values.count)"))
                return
            }
            factors[existing] = Factor(path: path, value: value, values: values, unit: unit, source: source,
                                       file: file, line: position.line, column: position.column)
        } else if isOverride {
            errors.append(TOMLError(file: file, position: position, message: "unknown key '\(path)': overrides must name an existing catalog entry"))
        } else {
            factorIndex[path] = factors.count
            factors.append(Factor(path: path, value: value, values: values, unit: unit, source: source,
                                  file: file, line: position.line, column: position.column))
            keyOrder.append((path, file, position))
        }
    }
}

/// Reads the typed specs out of a `CatalogSource`, recording which keys were used.
struct CatalogReader {
    var source: CatalogSource
    var used: Set<String> = []
    var errors: [TOMLError] = []

    init(_ source: CatalogSource) { self.source = source }

    private mutating func missing(_ path: String, _ what: String) {
        let table = String(path[..<(path.lastIndex(of: ".") ?? path.startIndex)])
        let place = source.tablePositions[table] ?? source.keyOrder.first.map { ($0.file, $0.position) } ?? ("catalog", SourcePosition(line: 1, column: 1))
        errors.append(TOMLError(file: place.file, position: place.position, message: "missing \(what) '\(path)'"))
    }

    /// A required factor in `unit`. Records an error and returns a zero factor if absent or mismatched.
    mutating func factor(_ path: String, _ unit: String, count: Int? = nil) -> (Double, FactorID) {
        used.insert(path)
        guard let index = source.factorIndex[path] else {
            missing(path, "factor")
            return (0, .none)
        }
        let factor = source.factors[index]
        if factor.unit != unit {
            errors.append(TOMLError(file: factor.file, position: SourcePosition(line: factor.line, column: factor.column),
                                    message: "'\(path)' must be in \(unit), not \(factor.unit)"))
        }
        if let count, factor.values.count != count {
            errors.append(TOMLError(file: factor.file, position: SourcePosition(line: factor.line, column: factor.column),
                                    message: "'\(path)' needs \(count) values, found \(factor.values.count)"))
        }
        return (factor.value, FactorID(raw: UInt16(index)))
    }

    mutating func value(_ path: String, _ unit: String) -> Double { factor(path, unit).0 }

    mutating func values(_ path: String, _ unit: String, count: Int) -> [Double] {
        let (_, id) = factor(path, unit, count: count)
        guard id != .none else { return Array(repeating: 1, count: count) }
        let values = source.factors[Int(id.raw)].values
        return values.count == count ? values : Array(repeating: 1, count: count)
    }

    /// An optional factor: nil when absent; checked for unit when present.
    mutating func optional(_ path: String, _ unit: String) -> Double? {
        guard source.factorIndex[path] != nil else { used.insert(path); return nil }
        return factor(path, unit).0
    }

    mutating func string(_ path: String) -> String {
        used.insert(path)
        guard let entry = source.strings[path] else {
            missing(path, "text")
            return path
        }
        return entry.value
    }

    mutating func optionalString(_ path: String) -> String? {
        used.insert(path)
        return source.strings[path]?.value
    }

    /// Marks every key under `prefix` as known (reference figures kept for advisor texts).
    mutating func acceptAll(under prefix: String) {
        for key in source.keyOrder where key.path.hasPrefix(prefix + ".") { used.insert(key.path) }
    }

    /// Unknown keys: present in the files but never read. Tables none of whose keys were read
    /// are reported once, as unknown tables.
    mutating func reportUnused() {
        var reportedTables: Set<String> = []
        for key in source.keyOrder where !used.contains(key.path) {
            let table = String(key.path[..<(key.path.lastIndex(of: ".") ?? key.path.startIndex)])
            let tableUsed = used.contains { $0.hasPrefix(table + ".") }
            if !table.isEmpty && !tableUsed {
                if reportedTables.insert(table).inserted {
                    let position = source.tablePositions[table]?.position ?? key.position
                    errors.append(TOMLError(file: key.file, position: position, message: "unknown table [\(table)]"))
                }
            } else {
                errors.append(TOMLError(file: key.file, position: key.position, message: "unknown key '\(key.path)'"))
            }
        }
    }
}

// MARK: - [SECTION] Typed specifications

public enum PlantKind: UInt8, CaseIterable, Sendable, Codable {
    case coal, gas, nuclear, hydro, wind, solar, biomass, waste
    public var key: String { ["coal", "gas", "nuclear", "hydro", "wind", "solar", "biomass", "waste"][Int(rawValue)] }
    /// Output follows the weather (or the river), not the dispatcher.
    public var isVariable: Bool { self == .wind || self == .solar || self == .hydro }
    public var isRenewable: Bool { self == .wind || self == .solar || self == .hydro || self == .biomass }
    public var canFitCCUS: Bool { self == .coal || self == .gas }
}

public enum StorageKind: UInt8, CaseIterable, Sendable, Codable {
    case battery, pumpedHydro
    public var key: String { ["battery", "pumped_hydro"][Int(rawValue)] }
}

public enum BuildingKind: UInt8, CaseIterable, Sendable, Codable {
    case residential, commercial, office, industrial, datacenter, farm, school, hospital
    public var key: String {
        ["residential", "commercial", "office", "industrial", "datacenter", "farm", "school", "hospital"][Int(rawValue)]
    }
    public var sector: Sector {
        switch self {
        case .industrial, .datacenter: return .industry
        case .farm: return .agricultureWaste
        default: return .buildings
        }
    }
}

public enum ZoneKind: UInt8, CaseIterable, Sendable, Codable {
    case park, forest, wetland, farmland
    public var key: String { ["park", "forest", "wetland", "farmland"][Int(rawValue)] }
}

public enum TravelMode: UInt8, CaseIterable, Sendable, Codable {
    case walk, bike, ebike, bus, metro, carPetrol, carElectric
    public var key: String { ["walk", "bike", "ebike", "bus", "metro", "car_petrol", "car_electric"][Int(rawValue)] }
    public var usesRoad: Bool { self == .bus || self == .carPetrol || self == .carElectric }
    public var isCar: Bool { self == .carPetrol || self == .carElectric }
}

public enum UpgradeKind: UInt8, CaseIterable, Sendable, Codable {
    case insulation, heatPump, rooftopPV, smartHVAC, pue, ccus
    public var key: String { ["insulation", "heat_pump", "rooftop_pv", "smart_hvac", "pue_upgrade", "ccus"][Int(rawValue)] }
    public var bit: UInt8 { 1 << rawValue }
}

public struct Names: Sendable, Equatable, Codable {
    public var en: String
    public var zh: String
    public init(en: String, zh: String) {
        self.en = en
        self.zh = zh
    }
}

public struct PlantSpec: Sendable {
    public var capacityKW: Double
    /// gCO2 per kWh sent out, at the stack.
    public var emissionFactor: Double
    public var emissionFactorID: FactorID
    /// gCO2e of CH4 and N2O per kWh sent out (combustion plants).
    public var nonCO2Factor: Double
    public var nonCO2FactorID: FactorID
    public var fuelCost: Double          // yuan/kWh
    public var fuelCostID: FactorID
    public var fixedOM: Double           // yuan/yr
    public var buildCost: Double         // yuan
    public var rampRate: Double          // fraction of capacity per hour
    public var minOutput: Double         // fraction
    public var airPollution: Double      // g/kWh
    public var embodied: Double          // tCO2e
    public var embodiedID: FactorID
    public var lifetime: Double          // years
    /// National average capacity factor; hydro uses it as its hourly availability.
    public var typicalCapacityFactor: Double
    public var typicalCapacityFactorID: FactorID
}

public struct CCUSSpec: Sendable {
    public var captureRate: Double
    public var captureRateID: FactorID
    public var energyPenaltyCoal: Double
    public var energyPenaltyGas: Double
    public var retrofitCostCoal: Double
    public var retrofitCostGas: Double
    public var storageCost: Double       // yuan/tCO2e
}

public struct StorageSpec: Sendable {
    public var powerKW: Double
    public var energyKWh: Double
    public var roundTripEfficiency: Double
    public var roundTripEfficiencyID: FactorID
    public var buildCost: Double
    public var fixedOM: Double
    public var embodied: Double
    public var embodiedID: FactorID
}

public struct BuildingSpec: Sendable {
    public var occupants: Double
    public var jobs: Double
    public var floorArea: Double
    public var electricityBase: Double   // kWh/h
    public var electricityBaseID: FactorID
    public var heatPerDegree: Double     // kWh per °C-hour below 18 °C
    public var coolingPerDegree: Double  // kWh per °C-hour above 24 °C
    public var embodied: Double
    public var embodiedID: FactorID
    public var buildCost: Double
    public var tax: Double               // yuan/yr per occupant or job
    public var maintenance: Double       // yuan/yr
    public var processEmissions: Double  // tCO2e/h at full output
    public var processEmissionsID: FactorID
    public var itLoadKW: Double          // data centres
    public var pue: Double
    public var hourlyProfile: [Double]   // 24 multipliers, mean 1
    public var students: Double          // school places (schools)
    public var beds: Double              // hospital beds (hospitals)
}

public struct UpgradeSpec: Sendable {
    public var cost: Double
}

public struct HeatingSpec: Sendable {
    /// kgCO2e per kWh of heat delivered by a gas boiler (efficiency included).
    public var gasFactor: Double
    public var gasFactorID: FactorID
    public var heatPumpCOP: Double
    public var heatPumpCOPID: FactorID
}

public struct ModeSpec: Sendable {
    public var directFactor: Double      // gCO2e/pkm
    public var directFactorID: FactorID
    public var energyPerPkm: Double      // kWh/pkm
    public var energyPerPkmID: FactorID
    public var speed: Double             // km/h
    public var cost: Double              // yuan/km
    public var maxDistance: Double       // km
    public var occupancy: Double         // persons per vehicle
    public var airPollution: Double      // g/km per vehicle
}

public struct ZoneSpec: Sendable {
    public var areaHa: Double
    public var maxRemoval: Double        // tCO2e/ha/yr at the peak of the curve
    public var maxRemovalID: FactorID
    public var maturityAge: Double       // years
    public var growthMidpoint: Double    // years
    public var maxStock: Double          // tCO2e/ha
    public var maxStockID: FactorID
    public var releaseOnFire: Double
    public var releaseOnFireID: FactorID
    public var releaseOnDemolition: Double
    public var releaseOnDemolitionID: FactorID
    public var droughtLoss: Double
    public var buildCost: Double
    public var maintenance: Double
}

/// Forest terrain: forest land remaining forest land (Sinks.swift).
public struct ForestLandSpec: Sendable {
    public var areaHa: Double
    public var removal: Double, removalID: FactorID            // tCO2e/ha/yr, net
    public var stock: Double                                  // tCO2e/ha
    public var releaseOnClearing: Double, releaseOnClearingID: FactorID
}

public struct WeatherSpec: Sendable {
    public var cutIn: Double, rated: Double, cutOut: Double     // m/s
    public var meanWind: [Double]        // 12 months, m/s
    public var temperature: [Double]     // 12 months, °C
    public var sunshine: [Double]        // 12 months, fraction
    public var diurnalAmplitude: Double  // °C
    public var anomalySD: Double         // °C, day-to-day
    public var latitude: Double          // degrees north
    public var performanceRatio: Double  // PV system losses
    /// Clear-sky attenuation (Meinel & Meinel 1976): solar constant kW/m², transmittance, air-mass exponent, global ÷ direct.
    public var solarConstant = 1.353, transmittance = 0.7, airMassExponent = 0.678, globalToDirect = 1.1
    /// PV rating irradiance, kW/m² (Standard Test Conditions).
    public var ratedIrradiance = 1.0
}

public struct TravelSpec: Sendable {
    public var valueOfTime: Double       // yuan/h
    public var logitScale: Double        // 1/min
    public var waitTime: Double          // min
    public var walkAccessSpeed: Double   // km/h
    public var bikeLaneBonus: Double     // fraction
    public var carOwnership: Double      // fraction
    public var evFleetShare: Double      // fraction
    public var peakHourShare: Double     // fraction
    public var lanesPerRoad: Double
    public var freightTkmPerJob: Double  // tkm per job-hour
    public var freightTkmPerJobID: FactorID
    public var railReach: Double         // tiles
    public var railShareWithSiding: Double
}

public struct AirSpec: Sendable {
    public var mixingHeight: Double      // m
    public var dispersionWidth: Double   // m
    public var backgroundShare: Double   // fraction of the national average that is regional background
    public var nationalPM25: Double      // µg/m3
    public var whoInterim: Double        // µg/m3
    public var whoGuideline: Double      // µg/m3
    public var blackoutWeight: Double    // fraction of happiness lost at zero reliability
}

public struct ServiceNeeds: Sendable {
    public var schoolAgeShare: Double    // fraction of residents
    public var bedsPerPerson: Double
    /// Employed residents per resident in Chinese towns: the share of newcomers who look for work.
    public var employmentRate: Double
    public var greenSpacePerPerson: Double  // m2
}

public struct DisturbanceSpec: Sendable {
    public var droughtChance: Double     // per year
    public var droughtDays: Double
    public var fireChance: Double        // per green tile per drought day
}

public struct EconomySpec: Sendable {
    public var roadCost: Double
    public var railCost: Double
    /// A road or rail piece on water is a bridge (yuan per tile).
    public var roadBridgeCost: Double
    public var railBridgeCost: Double
    /// A metro tunnel (yuan per tile).
    public var metroTunnelCost: Double
    /// Construction carbon of network pieces (tCO2e per tile, `[network_embodied]`).
    public var roadEmbodied: Double, roadEmbodiedID: FactorID
    public var bridgeEmbodied: Double, bridgeEmbodiedID: FactorID
    public var tunnelEmbodied: Double, tunnelEmbodiedID: FactorID
    public var busStopCost: Double
    public var metroStationCost: Double
    public var demolitionFraction: Double
    public var growthRateMax: Double     // fraction/yr
    public var migrationHappiness: Double
    public var migrationJobs: Double
    public var happinessWeights: (jobs: Double, commute: Double, air: Double, services: Double, green: Double)
    public var freightRoadFactor: Double, freightRoadFactorID: FactorID, freightRoadCost: Double
    public var freightRailFactor: Double, freightRailFactorID: FactorID, freightRailCost: Double
    public var congestionAlpha: Double, congestionBeta: Double, roadCapacity: Double
    public var seasonalMultiplier: [Double]
    public var seasonalMultiplierID: FactorID
}

/// One step of a marginal-abatement-cost curve.
public struct AbatementStep: Sendable, Equatable {
    public var fraction: Double          // share of the baseline it cuts
    public var cost: Double              // yuan/tCO2e abated
}

public struct CarbonSpec: Sendable {
    public var threshold: Double, thresholdID: FactorID          // tCO2e/yr
    public var thresholdReferencePopulation: Double              // persons
    public var capCutRate: Double, capCutRateID: FactorID        // fraction/yr
    public var penaltyMultiple: Double, penaltyMultipleID: FactorID
    public var reputationLoss: Double
    public var offsetLimit: Double, offsetLimitID: FactorID      // share of verified emissions
    public var referencePrice: Double, referencePriceID: FactorID  // yuan/tCO2e (China ETS 2023)
    /// By `CoveredKind.rawValue`: power, industry, data centre.
    public var abatementCurves: [[AbatementStep]]
    public var afforestationBaselineShare: Double, afforestationBaselineShareID: FactorID
    public var bufferShare: Double, bufferShareID: FactorID
    public var offsetExportPrice: Double, offsetExportPriceID: FactorID
    public var kWhPerCertificate: Double, kWhPerCertificateID: FactorID
    public var certificatePrice: Double, certificatePriceID: FactorID
    public var fossilRush: Double, fossilRushID: FactorID
    public var adoptionAtFullSubsidy: Double                     // fraction/yr
    public var evPricePremium: Double                            // yuan/vehicle

    init(reader r: inout CatalogReader) {
        (threshold, thresholdID) = r.factor("ets.threshold", "tCO2e/yr")
        thresholdReferencePopulation = r.value("ets.threshold_reference_population", "persons")
        (capCutRate, capCutRateID) = r.factor("ets.cap_cut_rate", "fraction/yr")
        (penaltyMultiple, penaltyMultipleID) = r.factor("ets.penalty_multiple", "ratio")
        reputationLoss = r.value("ets.reputation_loss", "fraction")
        (offsetLimit, offsetLimitID) = r.factor("ets.offset_limit", "fraction")
        (referencePrice, referencePriceID) = r.factor("carbon_price.china_2023", "yuan/tCO2e")
        abatementCurves = ["power", "industry", "datacenter"].map { kind in
            let fractions = r.values("ets.mac.\(kind)_fractions", "fraction", count: 4)
            let costs = r.values("ets.mac.\(kind)_costs", "yuan/tCO2e", count: 4)
            return zip(fractions, costs).map { AbatementStep(fraction: $0, cost: $1) }
        }
        (afforestationBaselineShare, afforestationBaselineShareID) = r.factor("offsets.afforestation_baseline_share", "fraction")
        (bufferShare, bufferShareID) = r.factor("offsets.buffer_share", "fraction")
        (offsetExportPrice, offsetExportPriceID) = r.factor("offsets.export_price", "yuan/tCO2e")
        (kWhPerCertificate, kWhPerCertificateID) = r.factor("green_certificate.kwh_per_certificate", "kWh")
        (certificatePrice, certificatePriceID) = r.factor("green_certificate.price", "yuan/certificate")
        (fossilRush, fossilRushID) = r.factor("carbon_tax.fossil_rush", "fraction")
        adoptionAtFullSubsidy = r.value("subsidy.adoption_at_full_subsidy", "fraction/yr")
        evPricePremium = r.value("subsidy.ev_price_premium", "yuan/vehicle")
    }
}

/// Citizens' carbon accounts (CarbonAccounts.swift): points are kg CO2e of "green energy".
public struct PersonalCarbonSpec: Sendable {
    public var microcaratKgPerKWh: Double, microcaratID: FactorID          // points per kWh saved
    public var participationShare: Double, participationShareID: FactorID  // share of citizens using the app
    public var recordedShare: Double, recordedShareID: FactorID            // share of green activity the app records
    public var pointsPerTree: Double, pointsPerTreeID: FactorID            // kgCO2e/tree
    public var antForestTrees: Double, antForestArea: Double               // trees, ha

    init(reader r: inout CatalogReader) {
        (microcaratKgPerKWh, microcaratID) = r.factor("personal_carbon.microcarat_kg_per_kwh", "kgCO2e/kWh")
        (participationShare, participationShareID) = r.factor("personal_carbon.participation_share", "fraction")
        (recordedShare, recordedShareID) = r.factor("personal_carbon.recorded_share", "fraction")
        (pointsPerTree, pointsPerTreeID) = r.factor("personal_carbon.points_per_tree", "kgCO2e/tree")
        antForestTrees = r.value("personal_carbon.ant_forest_trees", "trees")
        antForestArea = r.value("personal_carbon.ant_forest_area", "ha")
    }

    /// Whole trees on a tile of `areaHa` at Ant Forest's planting density (at least one).
    public func treesPerTile(areaHa: Double) -> Double {
        antForestArea > 0 ? max(1, (antForestTrees / antForestArea * areaHa).rounded()) : 1
    }
    /// Points the platform redeems for one forest tile.
    public func pointsPerTile(areaHa: Double) -> Double { pointsPerTree * treesPerTile(areaHa: areaHa) }
}

/// The loaded catalog: the factor table plus typed specs for the systems.
public struct Catalog: Sendable {
    public private(set) var factors: [Factor]
    /// What the catalog was read from, kept so that a factor can be changed and the typed specs
    /// read again (`setting(_:to:source:)`).
    var source: CatalogSource
    /// English and Chinese names by table path, e.g. `plant.coal`.
    public private(set) var names: [String: Names]
    public var plants: [PlantSpec]              // by PlantKind.rawValue
    public var ccus: CCUSSpec
    public var storage: [StorageSpec]           // by StorageKind.rawValue
    public var buildings: [BuildingSpec]        // by BuildingKind.rawValue
    public var upgrades: [UpgradeSpec]          // by UpgradeKind.rawValue
    public var heating: HeatingSpec
    public var insulationHeatReduction: Double
    public var rooftopPVKW: Double
    public var smartHVACSaving: Double
    public var upgradedPUE: Double
    public var modes: [ModeSpec]                // by TravelMode.rawValue
    public var zones: [ZoneSpec]                // by ZoneKind.rawValue
    public var forestLand: ForestLandSpec
    public var weather: WeatherSpec
    public var disturbance: DisturbanceSpec
    public var travel: TravelSpec
    /// Trips other than the commute and the bus fleet (Transport.swift).
    public var trips: TripSpec
    public var air: AirSpec
    public var services: ServiceNeeds
    public var economy: EconomySpec
    /// The national average grid factor, gCO2/kWh, for the advisor's comparisons.
    public var nationalGridFactor: Double
    /// Cap and trade, offsets, certificates, carbon tax and subsidies (Market.swift, Adoption.swift).
    public var carbon: CarbonSpec
    /// Citizens' carbon accounts: points, participation, trees (CarbonAccounts.swift).
    public var personalCarbon: PersonalCarbonSpec
    /// Names of `netzero validate`'s metrics by id (validation.toml; their ranges are factors).
    public private(set) var validationNames: [String: Names]

    /// The catalog factor behind an ID; nil for `.none` and for computed factors such as `.gridHour`.
    public func factor(_ id: FactorID) -> Factor? { Int(id.raw) < factors.count ? factors[Int(id.raw)] : nil }
    public func factor(path: String) -> Factor? { factors.first { $0.path == path } }

    /// A structure's name with its tile, e.g. "Coal plant (12, 40)", for registry accounts and market tables.
    public func names(_ structure: Structure, at position: TilePosition) -> Names {
        let names = self.names(structure)
        return Names(en: "\(names.en) (\(position.x), \(position.y))", zh: "\(names.zh)（\(position.x), \(position.y)）")
    }

    public func names(_ structure: Structure) -> Names {
        let table: String
        switch structure {
        case .building(let kind, _): table = "building." + kind.key
        case .plant(let kind): table = "plant." + kind.key
        case .storage(let kind): table = "storage." + kind.key
        case .zone(let kind): table = "zone." + kind.key
        default: return Names(en: structure.key.replacingOccurrences(of: "_", with: " "), zh: structure.key)
        }
        return names[table] ?? Names(en: table, zh: table)
    }

    /// A copy of the catalog with one factor changed (same unit), its typed specs read again.
    public func setting(_ path: String, to value: Double, source note: String) throws(CatalogError) -> Catalog {
        guard let index = source.factorIndex[path] else {
            throw CatalogError(errors: [TOMLError(file: "script", position: SourcePosition(line: 1, column: 1),
                                                  message: "unknown catalog entry '\(path)'")])
        }
        guard value.isFinite else {
            throw CatalogError(errors: [TOMLError(file: "script", position: SourcePosition(line: 1, column: 1),
                                                  message: "'\(path)' must be a finite number")])
        }
        if let problem = CatalogLimits.problem(path, unit: source.factors[index].unit, value: value) {
            throw CatalogError(errors: [TOMLError(file: "script", position: SourcePosition(line: 1, column: 1), message: problem)])
        }
        var changed = source
        changed.factors[index].value = value
        changed.factors[index].source = note
        var reader = CatalogReader(changed)
        let catalog = Catalog(reading: &reader)
        if !reader.errors.isEmpty { throw CatalogError(errors: reader.errors) }
        return catalog
    }

    public func plant(_ kind: PlantKind) -> PlantSpec { plants[Int(kind.rawValue)] }

    /// The CCUS energy penalty of a plant kind: the share of its output the capture plant uses.
    public func ccusPenalty(_ kind: PlantKind) -> Double { kind == .gas ? ccus.energyPenaltyGas : ccus.energyPenaltyCoal }
    /// Fuel (and so CO2 before capture) per kWh sent out, relative to the same plant without
    /// capture: 1 / (1 − penalty) with CCUS (847 / 0.75 = 1,129 g/kWh before a 90% capture).
    public func ccusFuelMultiplier(_ kind: PlantKind, hasCCUS: Bool) -> Double {
        hasCCUS ? 1 / max(0.05, 1 - ccusPenalty(kind)) : 1
    }
    public func building(_ kind: BuildingKind) -> BuildingSpec { buildings[Int(kind.rawValue)] }
    public func mode(_ mode: TravelMode) -> ModeSpec { modes[Int(mode.rawValue)] }
    public func zone(_ kind: ZoneKind) -> ZoneSpec { zones[Int(kind.rawValue)] }
    public func storageSpec(_ kind: StorageKind) -> StorageSpec { storage[Int(kind.rawValue)] }

    /// The catalog that ships with the game.
    public static var bundledDirectory: String { ResourceLocator.path("catalog") }

    /// Loads every `*.toml` in `directory` (sorted by name), then each override document in
    /// order. Throws every problem found, each with `file:line:col`.
    public static func load(directory: String = Catalog.bundledDirectory,
                            overrides: [(text: String, file: String)] = [],
                            overrideTables: [(table: TOMLTable, file: String)] = []) throws(CatalogError) -> Catalog {
        var source = CatalogSource()
        var errors: [TOMLError] = []
        let files = FileSystem.list(directory).filter { $0.hasSuffix(".toml") }.sorted()
        if files.isEmpty {
            throw CatalogError(errors: [TOMLError(file: directory, position: SourcePosition(line: 1, column: 1),
                                                  message: "no catalog files (*.toml) found")])
        }
        for name in files {
            let path = directory + "/" + name
            guard let bytes = FileSystem.read(path) else {
                errors.append(TOMLError(file: path, position: SourcePosition(line: 1, column: 1), message: "cannot read file"))
                continue
            }
            do {
                source.add(document: try TOML.parse(bytes: bytes, file: path), file: path, isOverride: false)
            } catch {
                errors.append(error)
            }
        }
        for (text, file) in overrides {
            do {
                source.add(document: try TOML.parse(text, file: file), file: file, isOverride: true)
            } catch {
                errors.append(error)
            }
        }
        for (table, file) in overrideTables { source.add(document: table, file: file, isOverride: true) }
        errors += source.errors
        if !errors.isEmpty { throw CatalogError(errors: errors) }
        var reader = CatalogReader(source)
        let catalog = Catalog(reading: &reader)
        reader.reportUnused()
        if !reader.errors.isEmpty { throw CatalogError(errors: reader.errors) }
        return catalog
    }

    init(reading r: inout CatalogReader) {
        factors = r.source.factors
        source = r.source
        var tableNames: [String: Names] = [:]
        for prefix in ["plant", "storage", "building", "upgrade", "mode", "zone", "freight"] {
            for key in r.source.keyOrder where key.path.hasPrefix(prefix + ".") && key.path.hasSuffix(".name_en") {
                let table = String(key.path.dropLast(".name_en".count))
                tableNames[table] = Names(en: r.string(table + ".name_en"), zh: r.string(table + ".name_zh"))
            }
        }
        tableNames["upgrade.ccus"] = Names(en: "Carbon capture (CCUS)", zh: "碳捕集（CCUS）")
        names = tableNames
        var metricNames: [String: Names] = [:]
        for key in r.source.keyOrder where key.path.hasPrefix("validation.") && key.path.hasSuffix(".name_en") {
            let table = String(key.path.dropLast(".name_en".count))
            metricNames[String(table.dropFirst("validation.".count))] = Names(en: r.string(table + ".name_en"), zh: r.string(table + ".name_zh"))
            _ = r.factor(table + ".range", r.source.factorIndex[table + ".range"].map { r.source.factors[$0].unit } ?? "?", count: 2)
        }
        validationNames = metricNames
        plants = PlantKind.allCases.map { kind in
            let t = "plant." + kind.key
            let capacity = r.value(t + ".capacity", "kW")
            let (ef, efID) = r.factor(t + ".emission_factor", "gCO2/kWh")
            let (fuel, fuelID) = r.factor(t + ".fuel_cost", "yuan/kWh")
            let (embodied, embodiedID) = r.factor(t + ".embodied", "tCO2e")
            let (nonCO2, nonCO2ID) = r.source.factorIndex[t + ".non_co2_factor"] != nil
                ? r.factor(t + ".non_co2_factor", "gCO2e/kWh") : (0, .none)
            // Reference figures kept for the advisor (not used in the arithmetic).
            _ = r.optional(t + ".lifecycle_factor", "gCO2e/kWh")
            _ = r.optional(t + ".efficiency", "fraction")
            let (typicalCF, typicalCFID) = r.factor(t + ".capacity_factor_typical", "fraction")
            return PlantSpec(capacityKW: capacity, emissionFactor: ef, emissionFactorID: efID,
                             nonCO2Factor: nonCO2, nonCO2FactorID: nonCO2ID, fuelCost: fuel, fuelCostID: fuelID, fixedOM: r.value(t + ".fixed_om", "yuan/yr"),
                             buildCost: r.value(t + ".build_cost", "yuan"), rampRate: r.value(t + ".ramp_rate", "fraction/h"),
                             minOutput: r.value(t + ".min_output", "fraction"), airPollution: r.value(t + ".air_pollution", "g/kWh"),
                             embodied: embodied, embodiedID: embodiedID, lifetime: r.value(t + ".lifetime", "years"),
                             typicalCapacityFactor: typicalCF, typicalCapacityFactorID: typicalCFID)
        }
        let (capture, captureID) = r.factor("ccus.capture_rate", "fraction")
        let penalty = r.value("ccus.energy_penalty", "fraction")
        let retrofit = r.value("ccus.retrofit_cost", "yuan")
        ccus = CCUSSpec(captureRate: capture, captureRateID: captureID, energyPenaltyCoal: penalty,
                        energyPenaltyGas: r.optional("ccus.energy_penalty_gas", "fraction") ?? penalty,
                        retrofitCostCoal: retrofit, retrofitCostGas: r.optional("ccus.retrofit_cost_gas", "yuan") ?? retrofit,
                        storageCost: r.value("ccus.storage_cost", "yuan/tCO2e"))
        r.acceptAll(under: "ccus")
        storage = StorageKind.allCases.map { kind in
            let t = "storage." + kind.key
            let (eff, effID) = r.factor(t + ".round_trip_efficiency", "fraction")
            let (embodied, embodiedID) = r.factor(t + ".embodied", "tCO2e")
            _ = r.optional(t + ".lifetime", "years")
            return StorageSpec(powerKW: r.value(t + ".power", "kW"), energyKWh: r.value(t + ".energy", "kWh"),
                               roundTripEfficiency: eff, roundTripEfficiencyID: effID, buildCost: r.value(t + ".build_cost", "yuan"),
                               fixedOM: r.value(t + ".fixed_om", "yuan/yr"), embodied: embodied, embodiedID: embodiedID)
        }
        var profiles: [String: [Double]] = [:]
        for name in ["residential", "commercial", "office", "industrial", "school", "flat"] {
            profiles[name] = r.values("profile.\(name)_hourly", "fraction", count: 24)
        }
        buildings = BuildingKind.allCases.map { kind in
            let t = "building." + kind.key
            let (base, baseID) = r.factor(t + ".electricity_base", "kWh/h")
            let (embodied, embodiedID) = r.factor(t + ".embodied", "tCO2e")
            var (process, processID) = r.factor(t + ".process_emissions", "tCO2e/h")
            if let field = r.optional(t + ".field_emissions", "tCO2e/h"), field > 0 {
                (process, processID) = r.factor(t + ".field_emissions", "tCO2e/h")
            }
            let students = r.optional(t + ".students", "persons") ?? 0
            let beds = r.optional(t + ".beds", "persons") ?? 0
            let profileName = r.string(t + ".profile")
            return BuildingSpec(occupants: r.optional(t + ".occupants", "persons") ?? 0,
                                jobs: r.optional(t + ".jobs", "jobs") ?? 0, floorArea: r.value(t + ".floor_area", "m2"),
                                electricityBase: base, electricityBaseID: baseID,
                                heatPerDegree: r.value(t + ".heat_per_degree", "kWh/degC-h"),
                                coolingPerDegree: r.value(t + ".cooling_per_degree", "kWh/degC-h"),
                                embodied: embodied, embodiedID: embodiedID, buildCost: r.value(t + ".build_cost", "yuan"),
                                tax: r.value(t + ".tax", "yuan/yr"), maintenance: r.value(t + ".maintenance", "yuan/yr"),
                                processEmissions: process, processEmissionsID: processID,
                                itLoadKW: r.optional(t + ".it_load", "kW") ?? 0, pue: r.optional(t + ".pue", "ratio") ?? 1,
                                hourlyProfile: profiles[profileName] ?? profiles["flat"]!, students: students, beds: beds)
        }
        upgrades = UpgradeKind.allCases.map { kind in
            if kind == .ccus { return UpgradeSpec(cost: 0) }
            let t = "upgrade." + kind.key
            r.acceptAll(under: t)
            return UpgradeSpec(cost: r.value(t + ".cost", "yuan"))
        }
        insulationHeatReduction = r.value("upgrade.insulation.heat_reduction", "fraction")
        rooftopPVKW = r.value("upgrade.rooftop_pv.capacity", "kW")
        smartHVACSaving = r.value("upgrade.smart_hvac.saving", "fraction")
        upgradedPUE = r.value("upgrade.pue_upgrade.target_pue", "ratio")
        let (gas, gasID) = r.factor("heating.gas_factor", "kgCO2e/kWh")
        let (cop, copID) = r.factor("heating.heat_pump_cop", "ratio")
        heating = HeatingSpec(gasFactor: gas, gasFactorID: gasID, heatPumpCOP: cop, heatPumpCOPID: copID)
        r.acceptAll(under: "heating")
        modes = TravelMode.allCases.map { mode in
            let t = "mode." + mode.key
            let (direct, directID) = r.factor(t + ".direct_factor", "gCO2e/pkm")
            let (energy, energyID) = r.factor(t + ".energy_per_pkm", "kWh/pkm")
            return ModeSpec(directFactor: direct, directFactorID: directID, energyPerPkm: energy,
                            energyPerPkmID: energyID, speed: r.value(t + ".speed", "km/h"), cost: r.value(t + ".cost", "yuan/km"),
                            maxDistance: r.value(t + ".max_distance", "km"), occupancy: r.value(t + ".occupancy", "persons"),
                            airPollution: r.value(t + ".air_pollution", "g/km"))
        }
        zones = ZoneKind.allCases.map { kind in
            let t = "zone." + kind.key
            let (removal, removalID) = r.factor(t + ".max_removal", "tCO2e/ha/yr")
            let (stock, stockID) = r.factor(t + ".max_stock", "tCO2e/ha")
            let (fire, fireID) = r.factor(t + ".release_on_fire", "fraction")
            let (demolition, demolitionID) = r.factor(t + ".release_on_demolition", "fraction")
            _ = r.string(t + ".curve")
            _ = r.optional(t + ".ch4_emission", "tCO2e/ha/yr")
            return ZoneSpec(areaHa: r.value(t + ".area", "ha"), maxRemoval: removal, maxRemovalID: removalID,
                            maturityAge: r.value(t + ".maturity_age", "years"), growthMidpoint: r.value(t + ".growth_midpoint", "years"),
                            maxStock: stock, maxStockID: stockID, releaseOnFire: fire, releaseOnFireID: fireID,
                            releaseOnDemolition: demolition, releaseOnDemolitionID: demolitionID,
                            droughtLoss: r.value(t + ".drought_loss", "fraction"), buildCost: r.value(t + ".build_cost", "yuan"),
                            maintenance: r.value(t + ".maintenance", "yuan/yr"))
        }
        let (landRemoval, landRemovalID) = r.factor("forest_land.removal", "tCO2e/ha/yr")
        let (landRelease, landReleaseID) = r.factor("forest_land.release_on_clearing", "fraction")
        forestLand = ForestLandSpec(areaHa: r.value("forest_land.area", "ha"), removal: landRemoval, removalID: landRemovalID,
                                    stock: r.value("forest_land.stock", "tCO2e/ha"),
                                    releaseOnClearing: landRelease, releaseOnClearingID: landReleaseID)
        weather = WeatherSpec(cutIn: r.value("weather.wind_cut_in_speed", "m/s"), rated: r.value("weather.wind_rated_speed", "m/s"),
                              cutOut: r.value("weather.wind_cut_out_speed", "m/s"),
                              meanWind: r.values("weather.mean_wind_speed", "m/s", count: 12),
                              temperature: r.values("weather.temperature_monthly", "degC", count: 12),
                              sunshine: r.values("weather.sunshine_fraction", "fraction", count: 12),
                              diurnalAmplitude: r.value("weather.temperature_diurnal_amplitude", "degC"),
                              anomalySD: r.value("weather.temperature_anomaly_sd", "degC"),
                              latitude: r.value("weather.latitude", "degN"),
                              performanceRatio: r.value("weather.pv_performance_ratio", "fraction"),
                              solarConstant: r.value("weather.solar_constant", "W/m2") / 1000,
                              transmittance: r.value("weather.clear_sky_transmittance", "fraction"),
                              airMassExponent: r.value("weather.air_mass_exponent", "ratio"),
                              globalToDirect: r.value("weather.global_to_direct_ratio", "ratio"),
                              ratedIrradiance: r.value("weather.peak_irradiance", "W/m2") / 1000)
        disturbance = DisturbanceSpec(droughtChance: r.value("disturbance.drought_chance", "fraction/yr"),
                                      droughtDays: r.value("disturbance.drought_length", "days"),
                                      fireChance: r.value("disturbance.fire_chance_in_drought", "fraction/day"))
        r.acceptAll(under: "weather")
        let (tkmPerJob, tkmPerJobID) = r.factor("freight_demand.tkm_per_job", "tkm/job-h")
        travel = TravelSpec(valueOfTime: r.value("choice.value_of_time", "yuan/h"), logitScale: r.value("choice.logit_scale", "1/min"),
                            waitTime: r.value("choice.wait_time", "min"), walkAccessSpeed: r.value("choice.walk_access_speed", "km/h"),
                            bikeLaneBonus: r.value("choice.bike_lane_bonus", "fraction"),
                            carOwnership: r.value("choice.car_ownership", "fraction"),
                            evFleetShare: r.value("choice.ev_fleet_share", "fraction"),
                            peakHourShare: r.value("choice.peak_hour_share", "fraction"),
                            lanesPerRoad: r.value("choice.lanes_per_road", "lanes"),
                            freightTkmPerJob: tkmPerJob, freightTkmPerJobID: tkmPerJobID,
                            railReach: r.value("freight_demand.rail_reach", "tiles"),
                            railShareWithSiding: r.value("freight_demand.rail_share_with_siding", "fraction"))
        air = AirSpec(mixingHeight: r.value("air.mixing_height", "m"), dispersionWidth: r.value("air.dispersion_width", "m"),
                      backgroundShare: r.value("air.background_share", "fraction"),
                      nationalPM25: r.value("air.china_pm25_2023", "ug/m3"), whoInterim: r.value("air.who_pm25_interim_1", "ug/m3"),
                      whoGuideline: r.value("air.who_pm25_annual", "ug/m3"),
                      blackoutWeight: r.value("reliability.blackout_weight", "fraction"))
        services = ServiceNeeds(schoolAgeShare: r.value("services.school_age_share", "fraction"),
                                bedsPerPerson: r.value("services.beds_per_person", "beds/person"),
                                employmentRate: min(1, max(0, r.value("services.employment_rate", "fraction"))),
                                greenSpacePerPerson: r.value("services.green_space_per_person", "m2/person"))
        nationalGridFactor = r.value("grid.national_average_factor", "gCO2/kWh")
        r.acceptAll(under: "grid")
        let (roadFreight, roadFreightID) = r.factor("freight.road.factor", "gCO2e/tkm")
        let (railFreight, railFreightID) = r.factor("freight.rail.factor", "gCO2e/tkm")
        let (seasonal, seasonalID) = (r.values("profile.seasonal_multiplier", "fraction", count: 12),
                                      r.factor("profile.seasonal_multiplier", "fraction").1)
        let (roadEmbodied, roadEmbodiedID) = r.factor("network_embodied.road", "tCO2e/tile")
        let (bridgeEmbodied, bridgeEmbodiedID) = r.factor("network_embodied.bridge", "tCO2e/tile")
        let (tunnelEmbodied, tunnelEmbodiedID) = r.factor("network_embodied.metro_tunnel", "tCO2e/tile")
        economy = EconomySpec(
            roadCost: r.value("costs.road", "yuan"), railCost: r.value("costs.rail_track", "yuan"),
            roadBridgeCost: r.value("costs.road_bridge", "yuan"), railBridgeCost: r.value("costs.rail_bridge", "yuan"),
            metroTunnelCost: r.value("costs.metro_track", "yuan"),
            roadEmbodied: roadEmbodied, roadEmbodiedID: roadEmbodiedID, bridgeEmbodied: bridgeEmbodied, bridgeEmbodiedID: bridgeEmbodiedID,
            tunnelEmbodied: tunnelEmbodied, tunnelEmbodiedID: tunnelEmbodiedID,
            busStopCost: r.value("costs.bus_stop", "yuan"), metroStationCost: r.value("costs.metro_station", "yuan"),
            demolitionFraction: r.value("costs.demolition", "fraction"),
            growthRateMax: r.value("population.growth_rate_max", "fraction/yr"),
            migrationHappiness: r.value("population.migration_happiness", "fraction/yr"),
            migrationJobs: r.value("population.migration_jobs", "fraction/yr"),
            happinessWeights: (r.value("happiness.jobs", "fraction"), r.value("happiness.commute", "fraction"),
                               r.value("happiness.air", "fraction"), r.value("happiness.services", "fraction"),
                               r.value("happiness.green", "fraction")),
            freightRoadFactor: roadFreight, freightRoadFactorID: roadFreightID, freightRoadCost: r.value("freight.road.cost", "yuan/tkm"),
            freightRailFactor: railFreight, freightRailFactorID: railFreightID, freightRailCost: r.value("freight.rail.cost", "yuan/tkm"),
            congestionAlpha: r.value("congestion.alpha", "ratio"), congestionBeta: r.value("congestion.beta", "ratio"),
            roadCapacity: r.value("congestion.road_capacity", "vehicles/h"),
            seasonalMultiplier: seasonal, seasonalMultiplierID: seasonalID)
        trips = TripSpec(reader: &r)
        carbon = CarbonSpec(reader: &r)
        personalCarbon = PersonalCarbonSpec(reader: &r)
        // Reference tables for the advisor, the market and lessons (read by later features).
        for table in ["costs", "population", "tax", "carbon_price", "ets", "air", "green_certificate",
                      "bikeshare", "digital", "congestion"] {
            r.acceptAll(under: table)
        }
    }
}
