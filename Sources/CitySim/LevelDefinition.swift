// LevelDefinition.swift — what a level is: its city, its rules, and how it is won or lost.
//
// A level file (TOML, see docs/levels.md) is read by LevelFile.swift into a `LevelDefinition`.
// Objectives compare a typed metric with a target at a deadline; triggers run actions when a
// condition holds; events change the weather, prices or supply for some days.
import TOML

/// Figures a level can test (objectives, triggers) and a report can show.
public enum Metric: String, CaseIterable, Sendable, Codable {
    case netEmissions = "net_emissions"              // tCO2e, net, in the year
    case cumulativeEmissions = "cumulative_emissions"  // tCO2e, net, since the start
    case peakYear = "peak_year"                      // the completed year with the highest net emissions
    case renewableShare = "renewable_share"          // fraction of delivered electricity, in the year
    case gridFactor = "grid_factor"                  // gCO2/kWh, in the year
    case budget                                      // yuan, now
    case population                                  // persons, now
    case happiness                                   // 0…1, now
    case blackoutHours = "blackout_hours"            // hours with unserved energy, in the year
    case greenCoverage = "green_coverage"            // fraction of land tiles that are green zones
    case treesPlantedFromPoints = "trees_planted_from_points"  // trees the citizens' green points planted, since the start
    case carbonPrice = "carbon_price"                // yuan/tCO2e, the last clearing price
    case complianceRate = "compliance_rate"          // fraction of covered firms that complied, last settled period
    case certificatesRetired = "certificates_retired"  // green-power certificates retired, since the start
    case netAfterTransfers = "net_after_transfers"   // tCO2e, net in the year plus credits sold outside the city
    case netIncludingScope3 = "net_including_scope3"  // tCO2e, net in the year plus scope 3: the embodied carbon of what was built and the out-of-town part of residents' trips

    public var unit: String {
        switch self {
        case .netEmissions, .cumulativeEmissions: return "tCO2e"
        case .peakYear: return "year"
        case .renewableShare, .happiness, .greenCoverage: return "fraction"
        case .gridFactor: return "gCO2/kWh"
        case .budget: return "yuan"
        case .population: return "persons"
        case .blackoutHours: return "hours"
        case .treesPlantedFromPoints: return "trees"
        case .carbonPrice: return "yuan/tCO2e"
        case .complianceRate: return "fraction"
        case .certificatesRetired: return "certificates"
        case .netAfterTransfers, .netIncludingScope3: return "tCO2e"
        }
    }
}

public enum Comparison: String, Sendable, CaseIterable, Codable {
    case atMost = "at_most"
    case atLeast = "at_least"
    public func holds(_ value: Double, _ target: Double) -> Bool { self == .atMost ? value <= target : value >= target }
}

public struct Objective: Sendable, Equatable, Codable {
    public var id: String
    public var title: Names
    public var metric: Metric
    public var comparison: Comparison
    public var target: Double
    /// Judged at the end of this year (31 December, 24:00).
    public var deadlineYear: Int
    /// Required objectives decide the level; optional ones are reported only.
    public var required: Bool

    public init(id: String, title: Names, metric: Metric, comparison: Comparison, target: Double, deadlineYear: Int,
                required: Bool = true) {
        self.id = id
        self.title = title
        self.metric = metric
        self.comparison = comparison
        self.target = target
        self.deadlineYear = deadlineYear
        self.required = required
    }
}

public enum ObjectiveStatus: String, Sendable, Codable { case pending, met, failed }

public enum LevelEventKind: String, CaseIterable, Sendable, Codable {
    case heatwave
    case fuelPriceSpike = "fuel_price_spike"
    case drought
    case coalShortage = "coal_shortage"
    case policyChange = "policy_change"
}

public enum TriggerCondition: Sendable, Equatable, Codable {
    case metric(Metric, Comparison, Double)
    case date(year: Int, month: Int, day: Int)
    case built(String)                       // a structure key, e.g. "solar_plant"
    case objective(String, ObjectiveStatus)
}

public enum TriggerAction: Sendable, Equatable, Codable {
    case message(Names)
    case advisor(Names)
    case grant(Double)
    case unlock(String)
    case event(LevelEventKind, days: Int, policy: String?, value: Double?)
    case win
    case lose
}

public struct Trigger: Sendable, Equatable, Codable {
    public var id: String
    public var when: TriggerCondition
    public var actions: [TriggerAction]
    public var once: Bool

    public init(id: String, when: TriggerCondition, actions: [TriggerAction], once: Bool = true) {
        self.id = id
        self.when = when
        self.actions = actions
        self.once = once
    }
}

public struct LevelScript: Sendable, Equatable {
    public var source: String
    public var file: String
    /// The level-file line of the script's first line.
    public var firstLine: Int
    /// Its mod's locale strings ("section.key" → text) per language code, for `text(key)`.
    public var strings: [String: [String: String]] = [:]

    public init(source: String, file: String, firstLine: Int) {
        self.source = source
        self.file = file
        self.firstLine = firstLine
    }
}

/// A level: the starting city plus its rules.
public struct LevelDefinition: Sendable {
    public var setup: LevelSetup
    public var file: String
    public var title: Names
    public var summary: Names
    public var author: String
    public var version: Int
    /// Tool keys the player may use (structure keys, "demolish", upgrade keys); nil = all.
    public var allowedTools: Set<String>?
    public var objectives: [Objective] = []
    public var triggers: [Trigger] = []
    public var hints: [Names] = []
    /// `[level] year_minutes`: real minutes one game year lasts at speed 1 (nil: the game's default, 15).
    public var yearMinutes: Double?
    public var script: LevelScript?
    /// `[catalog.…]` tables: overrides of catalog entries for this level only (after those of
    /// its mods, when it is a mod's level).
    public var catalogOverrides: TOMLTable?
    /// The level-file format it was read in today's terms, and the format of the file when it
    /// was older (read through `LevelFile.migrations`).
    public var format = LevelFile.formatVersion
    public var migratedFrom: Int?
    /// The mods a mod's level runs with, dependencies first, its own mod last (empty otherwise).
    public var mods: [ModReference] = []
    /// Its mod's title, for the Levels menu (nil: not a mod's level).
    public var modTitle: Names?

    public init(setup: LevelSetup, file: String) {
        self.setup = setup
        self.file = file
        title = Names(en: setup.info.title, zh: setup.info.title)
        summary = Names(en: "", zh: "")
        author = ""
        version = 1
    }

    /// Every tool a level can name.
    public static let toolNames: [String] = Structure.all.map(\.key) + ["demolish"] + UpgradeKind.allCases.map(\.key) + ["policies", "sell_offsets"]
}
