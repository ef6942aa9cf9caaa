// Policies.swift — the city's policy levers that the systems read.
//
// Every lever is a number with a name, a unit and a range (`PolicyLever.all`). The same names
// are the keys of a level's `[policies]` table, the policies panel's rows, Lua's `set_policy`,
// and the `policy NAME VALUE` command that replays record. Who reads which lever:
//   transit fare, car charge .................... Transport (mode choice)
//   carbon tax (all fuel) ....................... Grid (merit order), Transport (petrol), Adoption (revenue)
//   carbon tax (covered firms), cap, allocation,
//   price floor/ceiling, banking ................ Market (cap and trade)
//   green-power target .......................... Market (certificates bought by consumers)
//   subsidies (incl. EVs), PUE cap, efficiency
//   standard, the green paradox ................. Adoption (private upgrades, new buildings), Buildings
//   offset programme ............................ Offsets

public struct Policies: Sendable, Equatable, SavedResource {
    /// Multiplies bus and metro fares (1 = catalog fares, 0 = free transit).
    public var transitFareMultiplier = 1.0
    /// Extra cost of driving, yuan per km (a fuel tax or congestion charge); electric cars pay
    /// `electricCarShareOfCharge` of it.
    public var carChargePerKm = 0.0
    public var electricCarShareOfCharge = 1.0

    // Carbon pricing
    /// yuan per tCO2e.
    public var carbonTax = 0.0
    /// 0: only covered firms pay the tax; 1: every tonne of fossil fuel burnt in the city pays it.
    public var carbonTaxOnAllFuel = 0.0
    /// The tax applies from 1 January of this year (0 = at once).
    public var carbonTaxStartYear = 0.0
    /// The year the tax is announced (0 = when it starts). Announcing it early is what can
    /// trigger the green paradox (see `greenParadox`).
    public var carbonTaxAnnouncedYear = 0.0
    /// 1: firms rush to burn fossil fuel between the announcement and the start (the green paradox: Sinn 2008; 《数字低碳与低碳数字》).
    public var greenParadox = 0.0

    // Cap and trade
    /// 1: covered firms must surrender allowances each compliance period.
    public var capAndTrade = 0.0
    /// The first cap as a share of the covered firms' baseline emissions.
    public var capStringency = 1.0
    /// Yearly cut of the cap (fraction); negative = the catalog's `ets.cap_cut_rate`.
    public var capCutRate = -1.0
    /// Share of the cap given free; the rest is auctioned.
    public var freeAllocationShare = 1.0
    /// yuan/tCO2e; 0 = no floor / no ceiling.
    public var priceFloor = 0.0
    public var priceCeiling = 0.0
    /// 1: unused allowances stay valid in later periods; 0: they lapse (are cancelled).
    public var banking = 1.0
    /// 1: new green zones are registered as offset projects and earn credits beyond their baseline.
    public var offsetProgramme = 0.0

    // Green power, subsidies and standards
    /// Share of data centres' electricity they cover with green-power certificates (0…1).
    public var greenPowerTarget = 0.0
    /// Share of the cost the city pays when owners adopt these themselves (0…1).
    public var evSubsidy = 0.0
    public var heatPumpSubsidy = 0.0
    public var rooftopPVSubsidy = 0.0
    public var storageSubsidy = 0.0
    /// New data centres must reach this PUE (0 = no cap).
    public var dataCentrePUECap = 0.0
    /// New buildings: 0 = no standard, 1 = insulated, 2 = insulated with smart HVAC.
    public var efficiencyStandard = 0.0

    public init() {}

    public var cappedPriceCeiling: Double? { priceCeiling > 0 ? priceCeiling : nil }

    /// The carbon tax in force in `year` (yuan/tCO2e).
    public func carbonTax(in year: Int) -> Double {
        carbonTaxStartYear > 0 && Double(year) < carbonTaxStartYear ? 0 : carbonTax
    }

    /// Whether `year` lies between the tax's announcement and its start with the green paradox on.
    public func isFossilRush(_ year: Int) -> Bool {
        greenParadox > 0 && carbonTax > 0 && carbonTaxAnnouncedYear > 0 && carbonTaxStartYear > carbonTaxAnnouncedYear
            && Double(year) >= carbonTaxAnnouncedYear && Double(year) < carbonTaxStartYear
    }
}

/// One policy lever: its name in files and commands, its unit, range and titles.
public struct PolicyLever: Sendable {
    public var name: String
    public var unit: String
    public var range: ClosedRange<Double>
    /// The step the policies panel's − and + buttons change it by.
    public var step: Double
    public var title: Names
    public var keyPath: WritableKeyPath<Policies, Double> & Sendable

    public static let all: [PolicyLever] = [
        PolicyLever(name: "carbon_tax", unit: "yuan/tCO2e", range: 0...2000, step: 25,
                    title: Names(en: "Carbon tax", zh: "碳税"), keyPath: \.carbonTax),
        PolicyLever(name: "carbon_tax_on_all_fuel", unit: "0/1", range: 0...1, step: 1,
                    title: Names(en: "Tax all fuel (not only covered firms)", zh: "对所有燃料征税"), keyPath: \.carbonTaxOnAllFuel),
        PolicyLever(name: "carbon_tax_start_year", unit: "year", range: 0...2100, step: 1,
                    title: Names(en: "Carbon tax starts (year)", zh: "碳税起征年份"), keyPath: \.carbonTaxStartYear),
        PolicyLever(name: "carbon_tax_announced_year", unit: "year", range: 0...2100, step: 1,
                    title: Names(en: "Carbon tax announced (year)", zh: "碳税宣布年份"), keyPath: \.carbonTaxAnnouncedYear),
        PolicyLever(name: "green_paradox", unit: "0/1", range: 0...1, step: 1,
                    title: Names(en: "Green paradox (fossil rush before the tax)", zh: "绿色悖论（征税前抢用化石能源）"), keyPath: \.greenParadox),
        PolicyLever(name: "cap_and_trade", unit: "0/1", range: 0...1, step: 1,
                    title: Names(en: "Cap and trade", zh: "碳排放权交易"), keyPath: \.capAndTrade),
        PolicyLever(name: "cap_stringency", unit: "fraction", range: 0.1...1.5, step: 0.05,
                    title: Names(en: "First cap (share of baseline)", zh: "首期配额总量（占基准排放）"), keyPath: \.capStringency),
        PolicyLever(name: "cap_cut_rate", unit: "fraction/yr", range: -1...0.5, step: 0.01,
                    title: Names(en: "Yearly cap cut", zh: "配额年降幅"), keyPath: \.capCutRate),
        PolicyLever(name: "free_allocation_share", unit: "fraction", range: 0...1, step: 0.1,
                    title: Names(en: "Free allocation share", zh: "免费分配比例"), keyPath: \.freeAllocationShare),
        PolicyLever(name: "price_floor", unit: "yuan/tCO2e", range: 0...2000, step: 10,
                    title: Names(en: "Price floor", zh: "价格下限"), keyPath: \.priceFloor),
        PolicyLever(name: "price_ceiling", unit: "yuan/tCO2e", range: 0...5000, step: 10,
                    title: Names(en: "Price ceiling (0 = none)", zh: "价格上限（0 = 无）"), keyPath: \.priceCeiling),
        PolicyLever(name: "banking", unit: "0/1", range: 0...1, step: 1,
                    title: Names(en: "Banking of allowances", zh: "配额可结转"), keyPath: \.banking),
        PolicyLever(name: "offset_programme", unit: "0/1", range: 0...1, step: 1,
                    title: Names(en: "Register new forests as offsets", zh: "新造林登记为抵消项目"), keyPath: \.offsetProgramme),
        PolicyLever(name: "green_power_target", unit: "fraction", range: 0...1, step: 0.1,
                    title: Names(en: "Data centres' green-power target", zh: "数据中心绿电目标"), keyPath: \.greenPowerTarget),
        PolicyLever(name: "ev_subsidy", unit: "fraction", range: 0...1, step: 0.1,
                    title: Names(en: "EV subsidy", zh: "电动车补贴"), keyPath: \.evSubsidy),
        PolicyLever(name: "heat_pump_subsidy", unit: "fraction", range: 0...1, step: 0.1,
                    title: Names(en: "Heat-pump subsidy", zh: "热泵补贴"), keyPath: \.heatPumpSubsidy),
        PolicyLever(name: "rooftop_pv_subsidy", unit: "fraction", range: 0...1, step: 0.1,
                    title: Names(en: "Rooftop PV subsidy", zh: "屋顶光伏补贴"), keyPath: \.rooftopPVSubsidy),
        PolicyLever(name: "storage_subsidy", unit: "fraction", range: 0...1, step: 0.1,
                    title: Names(en: "Storage subsidy", zh: "储能补贴"), keyPath: \.storageSubsidy),
        PolicyLever(name: "datacentre_pue_cap", unit: "ratio", range: 0...3, step: 0.05,
                    title: Names(en: "PUE cap for new data centres (0 = none)", zh: "新建数据中心PUE上限（0 = 无）"), keyPath: \.dataCentrePUECap),
        PolicyLever(name: "efficiency_standard", unit: "level", range: 0...2, step: 1,
                    title: Names(en: "Efficiency standard for new buildings", zh: "新建建筑能效标准"), keyPath: \.efficiencyStandard),
        PolicyLever(name: "transit_fare_multiplier", unit: "ratio", range: 0...100, step: 0.25,
                    title: Names(en: "Transit fare (× catalog)", zh: "公交票价（× 基准）"), keyPath: \.transitFareMultiplier),
        PolicyLever(name: "car_charge_per_km", unit: "yuan/km", range: 0...1000, step: 0.1,
                    title: Names(en: "Car charge per km", zh: "小汽车每公里收费"), keyPath: \.carChargePerKm),
        PolicyLever(name: "electric_car_share_of_charge", unit: "fraction", range: 0...1, step: 0.1,
                    title: Names(en: "Share of the charge EVs pay", zh: "电动车缴费比例"), keyPath: \.electricCarShareOfCharge),
    ]

    public static func named(_ name: String) -> PolicyLever? { all.first { $0.name == name } }
}

extension Policies {
    public subscript(lever: PolicyLever) -> Double {
        get { self[keyPath: lever.keyPath] }
        set { self[keyPath: lever.keyPath] = min(lever.range.upperBound, max(lever.range.lowerBound, newValue)) }
    }
}

/// Conditions the city does not choose, set by level events: fuel prices and coal supply.
public struct MarketConditions: Sendable, Equatable, SavedResource {
    /// Multiplies the fuel cost of coal, gas and biomass plants.
    public var fuelPriceMultiplier = 1.0
    /// Share of coal plants' capacity that has fuel (a coal shortage lowers it).
    public var coalAvailability = 1.0
    public init() {}
}
