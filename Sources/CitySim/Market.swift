// Market.swift — cap and trade: covered firms, the cap, allocation, the auction, compliance.
//
// [SECTION] Covered firms, periods and the market's state
// [SECTION] Clearing: the uniform-price call auction (pure functions)
// [SECTION] The yearly cycle (systems)
// [SECTION] Emissions a firm answers for
//
// Phase account, "market.year" (after certificates.year and offsets.year, before level.rules),
// once a year on 1 January 00:00, when the year that just closed is in the ledger:
//   1. Settle the period that closed (《元宇宙与碳中和》, 2022, ch. 2):
//      verified emissions of each covered firm → a true-up at the period's price (firms short
//      of allowances buy from firms long, then from unsold auction volume, then offset credits
//      up to the catalog's offset limit) → each firm surrenders what it must → a shortfall is
//      fined at `penalty_multiple` × the price and costs reputation → without banking, unused
//      allowances lapse (are cancelled).
//   2. Open the next period: firms above the threshold join (and stay covered); the cap is
//      `cap_stringency` × their baseline × (1 − cut rate)^(years since the first period); the
//      free share is allocated by history (baseline) or by benchmark (activity × the kind's best
//      intensity); the rest is auctioned by the city.
//   3. The call auction: every firm's demand at price p is its expected emissions after the
//      abatement steps its MAC curve offers at cost ≤ p (+ any carbon tax), less what it holds.
//      The clearing price is the lowest candidate price (the floor, each MAC step's cost, the
//      ceiling) at which total demand ≤ what is offered; all trades take place at that one price
//      (uniform price). Buyers are filled from the auction first, then from firms long, pro rata.
//      Above the ceiling the city sells extra allowances from a reserve (price containment).
//      A level may instead fix the price and each firm's abatement (and whether it buys), to
//      teach the arithmetic step by step; the city then buys and sells any imbalance at that price.
//   4. Each firm takes the abatement steps whose cost is ≤ the price (+ tax); the cut applies to
//      its emissions all year (PowerPlant.abatement, Building.abatement) and is paid per tonne.
// Every allowance moves through the registry (Registry.swift); this file never counts units itself.
import ECS

// MARK: - [SECTION] Covered firms, periods and the market's state

public enum CoveredKind: UInt8, CaseIterable, Sendable, Codable {
    case power, industry, datacenter
    public var key: String { ["power", "industry", "datacenter"][Int(rawValue)] }
}

public enum ComplianceStatus: UInt8, Sendable, Codable {
    case open, compliant, fined
    public var key: String { ["open", "compliant", "fined"][Int(rawValue)] }
}

public struct CoveredFirm: Sendable, Equatable, Codable {
    public var entity: Entity
    public var account: RegistryAccountID
    public var kind: CoveredKind
    public var name: Names
    /// Verified emissions in the year before it was first covered, tCO2e.
    public var baseline: Double
    /// Output in that year (kWh for plants and data centres, output-hours for factories).
    public var activity: Double
    /// Emissions it expects this period before abatement, tCO2e.
    public var expected: Double
    /// Share of its emissions cut this period.
    public var abatement = 0.0
    public var allocated: Int64 = 0
    public var bought: Int64 = 0
    public var sold: Int64 = 0
    public var verified: Int64 = 0
    public var surrendered: Int64 = 0
    public var offsetsSurrendered: Int64 = 0
    public var shortfall: Int64 = 0
    /// yuan this period.
    public var abatementCost = 0.0
    public var tradeRevenue = 0.0
    public var tradeCost = 0.0
    public var fine = 0.0
    public var tax = 0.0
    /// 0…1; a fine costs `ets.reputation_loss`, a compliant year wins back half of that.
    public var reputation = 1.0
    public var status = ComplianceStatus.open
    public var active = true
    /// A level's fixed choices (nil = the firm decides from its MAC curve).
    public var fixedAbatement: Double?
    /// False: the firm neither buys nor surrenders offsets (the book's firm that is fined).
    public var buysShortfall = true

    public init(entity: Entity, account: RegistryAccountID, kind: CoveredKind, name: Names, baseline: Double, activity: Double) {
        self.entity = entity
        self.account = account
        self.kind = kind
        self.name = name
        self.baseline = baseline
        self.activity = activity
        expected = baseline
    }

    /// Net money this period: trade revenue less costs, fines and tax.
    public var netCash: Double { tradeRevenue - tradeCost - abatementCost - fine - tax }
}

public struct MarketTrade: Sendable, Equatable, Codable {
    public enum Stage: UInt8, Sendable, Codable { case auction, trueUp, offsets }
    public var stage: Stage
    public var buyer: RegistryAccountID
    public var seller: RegistryAccountID
    public var count: Int64
    public var price: Double
}

/// How one firm ended a settled period (what the market panel lists).
public struct FirmResult: Sendable, Equatable, Codable {
    public var account: RegistryAccountID
    public var abatement: Double
    public var allocated: Int64, bought: Int64, sold: Int64
    public var verified: Int64, surrendered: Int64, offsetsSurrendered: Int64, shortfall: Int64
    public var fine: Double
    /// Trade revenue less trade and abatement costs, fines and tax, yuan.
    public var netCash: Double
    public var status: ComplianceStatus
    /// What the firm's abatement cost in the period, yuan (firms.csv).
    public var abatementCost = 0.0
}

extension FirmResult {
    /// Saves from before firms.csv have no `abatementCost`: it reads as 0.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        account = try c.decode(RegistryAccountID.self, forKey: .account)
        abatement = try c.decode(Double.self, forKey: .abatement)
        allocated = try c.decode(Int64.self, forKey: .allocated)
        bought = try c.decode(Int64.self, forKey: .bought)
        sold = try c.decode(Int64.self, forKey: .sold)
        verified = try c.decode(Int64.self, forKey: .verified)
        surrendered = try c.decode(Int64.self, forKey: .surrendered)
        offsetsSurrendered = try c.decode(Int64.self, forKey: .offsetsSurrendered)
        shortfall = try c.decode(Int64.self, forKey: .shortfall)
        fine = try c.decode(Double.self, forKey: .fine)
        netCash = try c.decode(Double.self, forKey: .netCash)
        status = try c.decode(ComplianceStatus.self, forKey: .status)
        abatementCost = try c.decodeIfPresent(Double.self, forKey: .abatementCost) ?? 0
    }
}

/// One compliance period (a year).
public struct MarketPeriod: Sendable, Equatable, Codable {
    public var year: Int
    public var cap: Int64 = 0
    public var freeAllocation: Int64 = 0
    public var auctioned: Int64 = 0
    public var reserveSold: Int64 = 0
    /// yuan/tCO2e.
    public var price = 0.0
    public var auctionRevenue = 0.0
    public var trades: [MarketTrade] = []
    public var fines = 0.0
    public var taxes = 0.0
    public var verified: Int64 = 0
    public var surrendered: Int64 = 0
    public var offsetsSurrendered: Int64 = 0
    public var lapsed: Int64 = 0
    public var firms = 0
    public var compliant = 0
    public var settled = false
    /// Each firm's outcome, in the order of `CarbonMarket.firms` (filled at settlement).
    public var results: [FirmResult] = []
    public init(year: Int) { self.year = year }

    public var shortfall: Int64 { results.reduce(0) { $0 + $1.shortfall } }

    public var volume: Int64 { trades.reduce(0) { $0 + $1.count } }
    public var complianceRate: Double { firms > 0 ? Double(compliant) / Double(firms) : 1 }
}

/// A level's market settings (`[market]`); nil fields fall back to the catalog and policies.
public struct MarketRules: Sendable, Equatable, Codable {
    /// tCO2e/yr; nil = the catalog's 26,000 t scaled to the city's population.
    public var threshold: Double?
    /// The first compliance period; nil = the level's second year (the first is the baseline).
    public var firstYear: Int?
    public var fixedPrice: Double?
    public var benchmarkAllocation = false
    public var penaltyMultiple: Double?
    public var firms: [FirmSetting] = []

    public struct FirmSetting: Sendable, Equatable, Codable {
        public var x: Int, y: Int
        public var name: Names?
        public var abatement: Double?
        public var buys = true
        public init(x: Int, y: Int) { self.x = x; self.y = y }
    }
    public init() {}
}

public struct CarbonMarket: Sendable, Equatable, SavedResource {
    public var rules = MarketRules()
    public internal(set) var firms: [CoveredFirm] = []
    /// The city's allowance account (auctions, the reserve, the market maker).
    public internal(set) var government: RegistryAccountID = -1
    public internal(set) var periods: [MarketPeriod] = []
    /// The period under way (not yet settled).
    public internal(set) var current: MarketPeriod?
    public init() {}

    /// The last clearing price, yuan/tCO2e (0 before the first period).
    public var price: Double { current?.price ?? periods.last?.price ?? 0 }
    public var lastSettled: MarketPeriod? { periods.last }
}

// MARK: - [SECTION] Clearing: the uniform-price call auction (pure functions)

public enum MarketClearing {
    /// Share of emissions a firm cuts at `price` (yuan/t): every step that costs no more.
    public static func abatement(_ curve: [AbatementStep], atPrice price: Double) -> Double {
        min(0.95, curve.reduce(0) { $0 + ($1.cost <= price ? $1.fraction : 0) })
    }

    /// yuan to cut `share` of `gross` tonnes along `curve` (the cheapest steps first).
    public static func abatementCost(_ curve: [AbatementStep], share: Double, gross: Double) -> Double {
        var left = share
        var cost = 0.0
        for step in curve.sorted(by: { $0.cost < $1.cost }) where left > 0 {
            let taken = min(step.fraction, left)
            cost += taken * gross * max(0, step.cost)
            left -= taken
        }
        return cost
    }

    /// The lowest candidate price at which demand does not exceed supply. `demand(p)` is the
    /// firms' total net demand at p; `supply` what the auction offers. Returns the price and
    /// whether demand was met (false: even the highest candidate leaves excess demand).
    public static func clearingPrice(candidates: [Double], floor: Double, ceiling: Double?, supply: Int64,
                                     demand: (Double) -> Int64) -> (price: Double, met: Bool) {
        var prices = Set(candidates.map { max(floor, $0) })
        prices.insert(floor)
        if let ceiling { prices = prices.filter { $0 <= ceiling }; prices.insert(ceiling) }
        let sorted = prices.sorted()
        for p in sorted where demand(p) <= supply { return (p, true) }
        return (sorted.last ?? floor, false)
    }

    /// Splits `total` units over `weights` in proportion, rounding by largest remainder
    /// (ties to the lower index), so the parts always add up to `total`.
    public static func apportion(_ total: Int64, weights: [Double]) -> [Int64] {
        let sum = weights.reduce(0) { $0 + max(0, $1) }
        guard total > 0, sum > 0 else { return weights.map { _ in 0 } }
        let exact = weights.map { Double(total) * max(0, $0) / sum }
        var parts = exact.map { Int64($0.rounded(.down)) }
        var left = total - parts.reduce(0, +)
        let order = exact.indices.sorted { (exact[$0] - Double(parts[$0]), -$0) > (exact[$1] - Double(parts[$1]), -$1) }
        for i in order where left > 0 { parts[i] += 1; left -= 1 }
        return parts
    }
}

// MARK: - [SECTION] The yearly cycle (systems)

public enum Market: SimulationPlugin {
    public static func build(_ sim: SimulationBuilder) {
        sim.resource("market", CarbonMarket.self) { setup in
            var market = CarbonMarket()
            market.rules = setup.level.market
            return market
        }
        sim.system("market.year", Phase.account,
                   reads: [Building.self, BuildingLoad.self, PowerPlant.self, TilePosition.self, PrimaryLine.self, ProcessLine.self,
                           ElectricityLine.self],
                   writes: [Building.self, PowerPlant.self],
                   readsResources: [Catalog.self, Clock.self, Policies.self, Ledger.self, CityStats.self, TileMap.self, CertificateBook.self,
                                    BuildingLoadBook.self],
                   writesResources: [CarbonMarket.self, CarbonRegistry.self, Budget.self, BudgetBook.self, LevelRules.self, OffsetBook.self],
                   after: ["certificates.year", "offsets.year"], before: ["level.rules"],
                   runsLong: { $0.resource(Clock.self)!.isNewYear }, run: { ctx in
            let clock = ctx.world.resource(Clock.self)!
            guard clock.isNewYear else { return }
            yearEnd(world: ctx.world, closedYear: clock.year - 1, tick: clock.tick)
        })
    }

    static func yearEnd(world: World, closedYear: Int, tick: Int64) {
        world.resourceScope(CarbonMarket.self, CarbonRegistry.self) { market, registry in
            let catalog = world.resource(Catalog.self)!
            let policies = world.resource(Policies.self)!
            let emissions = FirmEmissions(world: world, year: closedYear)
            if market.current != nil {
                settle(&market, registry: &registry, world: world, emissions: emissions, catalog: catalog, policies: policies, tick: tick)
            }
            guard policies.capAndTrade > 0 else { return }
            let start = world.resource(Clock.self)!.startYear
            let firstYear = market.rules.firstYear ?? start + 1
            admitFirms(&market, registry: &registry, world: world, emissions: emissions, catalog: catalog)
            if closedYear + 1 >= firstYear {
                open(&market, year: closedYear + 1, firstYear: firstYear, registry: &registry, world: world, emissions: emissions,
                     catalog: catalog, policies: policies, tick: tick)
            }
        }
    }

    /// Firms above the threshold join; once covered they stay covered while they exist.
    static func admitFirms(_ market: inout CarbonMarket, registry: inout CarbonRegistry, world: World, emissions: FirmEmissions,
                           catalog: Catalog) {
        if market.government < 0 {
            market.government = registry.openAccount(.government, name: Names(en: "City allowance account", zh: "城市配额账户"))
        }
        let population = Double(world.resource(CityStats.self)?.population ?? 0)
        let threshold = market.rules.threshold
            ?? catalog.carbon.threshold * max(1, population) / catalog.carbon.thresholdReferencePopulation
        for i in market.firms.indices where !world.isAlive(market.firms[i].entity) { market.firms[i].active = false }
        for candidate in emissions.candidates where candidate.tonnes >= threshold || market.rules.firms.contains(where: { $0.x == candidate.x && $0.y == candidate.y }) {
            guard !market.firms.contains(where: { $0.entity == candidate.entity }) else { continue }
            let setting = market.rules.firms.first { $0.x == candidate.x && $0.y == candidate.y }
            let name = setting?.name ?? candidate.name(catalog)
            let account = registry.account(for: candidate.entity)
                ?? registry.openAccount(.firm, name: name, entity: candidate.entity)
            var firm = CoveredFirm(entity: candidate.entity, account: account, kind: candidate.kind, name: name,
                                   baseline: candidate.tonnes, activity: candidate.activity)
            firm.fixedAbatement = setting?.abatement
            firm.buysShortfall = setting?.buys ?? true
            market.firms.append(firm)
        }
    }

    static func open(_ market: inout CarbonMarket, year: Int, firstYear: Int, registry: inout CarbonRegistry, world: World,
                     emissions: FirmEmissions, catalog: Catalog, policies: Policies, tick: Int64) {
        var period = MarketPeriod(year: year)
        let active = market.firms.indices.filter { market.firms[$0].active }
        period.firms = active.count
        guard !active.isEmpty else { market.current = period; return }
        // Expected emissions: last year's, before last year's abatement.
        for i in active {
            let firm = market.firms[i]
            let last = emissions.tonnes(of: firm.entity) ?? firm.baseline
            market.firms[i].expected = firm.abatement < 1 ? last / (1 - firm.abatement) : last
            market.firms[i].resetPeriod()
        }
        let cut = policies.capCutRate >= 0 ? policies.capCutRate : catalog.carbon.capCutRate
        let baseline = active.reduce(0.0) { $0 + market.firms[$1].baseline }
        var factor = policies.capStringency
        for _ in 0..<max(0, year - firstYear) { factor *= 1 - cut }
        period.cap = Int64((baseline * factor).rounded(.down))
        period.freeAllocation = Int64((Double(period.cap) * min(1, max(0, policies.freeAllocationShare))).rounded(.down))
        period.auctioned = period.cap - period.freeAllocation
        try? registry.issue(.allowance, count: period.cap, vintage: year, to: market.government, tick: tick, note: "cap \(year)")
        // Free allocation, by history or by benchmark.
        let weights: [Double]
        if market.rules.benchmarkAllocation {
            var best = [Double](repeating: .infinity, count: CoveredKind.allCases.count)
            for i in active where market.firms[i].activity > 0 {
                let k = Int(market.firms[i].kind.rawValue)
                best[k] = min(best[k], market.firms[i].baseline / market.firms[i].activity)
            }
            weights = active.map { i in
                let k = Int(market.firms[i].kind.rawValue)
                return best[k].isFinite ? market.firms[i].activity * best[k] : market.firms[i].baseline
            }
        } else {
            weights = active.map { market.firms[$0].baseline }
        }
        for (i, part) in zip(active, MarketClearing.apportion(period.freeAllocation, weights: weights)) where part > 0 {
            try? registry.transfer(.allowance, count: part, from: market.government, to: market.firms[i].account, vintage: year,
                                   tick: tick, note: "free allocation \(year)")
            market.firms[i].allocated = part
        }
        // The call auction.
        let tax = policies.carbonTax(in: year)
        let curves = catalog.carbon.abatementCurves
        func share(_ i: Int, _ price: Double) -> Double {
            market.firms[i].fixedAbatement ?? MarketClearing.abatement(curves[Int(market.firms[i].kind.rawValue)], atPrice: price + tax)
        }
        let holdings = active.map { registry.balance(market.firms[$0].account, .allowance) }
        func netDemand(_ price: Double) -> [Int64] {
            zip(active, holdings).map { i, held in
                let need = Int64((market.firms[i].expected * (1 - share(i, price))).rounded(.up))
                return need > held && !market.firms[i].buysShortfall ? 0 : need - held
            }
        }
        let floor = policies.priceFloor
        let price: Double
        if let fixed = market.rules.fixedPrice {
            price = fixed
        } else {
            let candidates = curves.flatMap { $0.map { $0.cost - tax } }.filter { $0 > 0 }
            price = MarketClearing.clearingPrice(candidates: candidates, floor: floor, ceiling: policies.cappedPriceCeiling,
                                                 supply: period.auctioned, demand: { p in netDemand(p).reduce(0, +) }).price
        }
        period.price = price
        for i in active {
            market.firms[i].abatement = share(i, price)
            market.firms[i].abatementCost = MarketClearing.abatementCost(curves[Int(market.firms[i].kind.rawValue)],
                                                                         share: market.firms[i].abatement, gross: market.firms[i].expected)
        }
        let demand = netDemand(price)
        trade(&market, &period, registry: &registry, firms: active, positions: demand.map { -$0 }, price: price,
              stage: .auction, allowReserve: market.rules.fixedPrice != nil || policies.cappedPriceCeiling != nil, tick: tick)
        applyAbatement(market, world: world)
        market.current = period
    }

    /// Matches firms short (negative position) with the city's unsold allowances and firms long,
    /// at one price. With `allowReserve` the city covers any remaining demand from its reserve
    /// and buys any remaining supply (the market maker of a fixed or capped price).
    static func trade(_ market: inout CarbonMarket, _ period: inout MarketPeriod, registry: inout CarbonRegistry,
                      firms: [Int], positions: [Int64], price: Double, stage: MarketTrade.Stage, allowReserve: Bool, tick: Int64) {
        var wanted = positions.map { max(0, -$0) }
        var spare = positions.map { max(0, $0) }
        let government = market.government
        let vintage = period.year
        func record(buyer: RegistryAccountID, seller: RegistryAccountID, count: Int64) {
            guard count > 0 else { return }
            period.trades.append(MarketTrade(stage: stage, buyer: buyer, seller: seller, count: count, price: price))
        }
        // 1. The city's unsold allowances go first.
        let unsold = registry.balance(government, .allowance)
        let fromCity = MarketClearing.apportion(min(unsold, wanted.reduce(0, +)), weights: wanted.map(Double.init))
        for (k, count) in fromCity.enumerated() where count > 0 {
            let i = firms[k]
            try? registry.transfer(.allowance, count: count, from: government, to: market.firms[i].account, tick: tick, note: "auction \(vintage)")
            market.firms[i].bought += count
            market.firms[i].tradeCost += Double(count) * price
            period.auctionRevenue += Double(count) * price
            wanted[k] -= count
            record(buyer: market.firms[i].account, seller: government, count: count)
        }
        // 2. Firms long sell to firms short, pro rata to what each has spare.
        let totalWanted = wanted.reduce(0, +)
        let sales = MarketClearing.apportion(min(totalWanted, spare.reduce(0, +)), weights: spare.map(Double.init))
        var buyersLeft = wanted
        for (s, sold) in sales.enumerated() where sold > 0 {
            let seller = firms[s]
            // Each seller's units go to buyers in proportion to what they still want.
            let parts = MarketClearing.apportion(sold, weights: buyersLeft.map(Double.init))
            for (b, count) in parts.enumerated() where count > 0 {
                let buyer = firms[b]
                guard (try? registry.transfer(.allowance, count: count, from: market.firms[seller].account, to: market.firms[buyer].account,
                                              tick: tick, note: "trade \(vintage)")) != nil else { continue }
                market.firms[seller].sold += count
                market.firms[seller].tradeRevenue += Double(count) * price
                market.firms[buyer].bought += count
                market.firms[buyer].tradeCost += Double(count) * price
                buyersLeft[b] -= count
                record(buyer: market.firms[buyer].account, seller: market.firms[seller].account, count: count)
            }
            spare[s] -= sold
        }
        guard allowReserve else { return }
        // 3. The market maker: the reserve covers what is still wanted; the city buys what is still spare.
        for (b, count) in buyersLeft.enumerated() where count > 0 {
            let buyer = firms[b]
            try? registry.issue(.allowance, count: count, vintage: vintage, to: government, tick: tick, note: "reserve \(vintage)")
            try? registry.transfer(.allowance, count: count, from: government, to: market.firms[buyer].account, tick: tick, note: "reserve sale \(vintage)")
            market.firms[buyer].bought += count
            market.firms[buyer].tradeCost += Double(count) * price
            period.auctionRevenue += Double(count) * price
            period.reserveSold += count
            record(buyer: market.firms[buyer].account, seller: government, count: count)
        }
        if stage == .auction { return }  // firms long keep their surplus for the true-up
        for (s, count) in spare.enumerated() where count > 0 {
            let seller = firms[s]
            guard (try? registry.transfer(.allowance, count: count, from: market.firms[seller].account, to: government,
                                          tick: tick, note: "bought back \(vintage)")) != nil else { continue }
            market.firms[seller].sold += count
            market.firms[seller].tradeRevenue += Double(count) * price
            period.auctionRevenue -= Double(count) * price
            record(buyer: government, seller: market.firms[seller].account, count: count)
        }
    }

    static func settle(_ market: inout CarbonMarket, registry: inout CarbonRegistry, world: World, emissions: FirmEmissions,
                       catalog: Catalog, policies: Policies, tick: Int64) {
        guard var period = market.current else { return }
        market.current = nil
        let price = period.price
        let active = market.firms.indices.filter { market.firms[$0].active && world.isAlive(market.firms[$0].entity) }
        for i in active {
            let verified = emissions.tonnes(of: market.firms[i].entity) ?? 0
            market.firms[i].verified = Int64(max(0, verified).rounded(.up))
        }
        // True-up at the period's price: positions after what each firm must surrender.
        let positions = active.map { i -> Int64 in
            let firm = market.firms[i]
            let position = registry.balance(firm.account, .allowance) - firm.verified
            return position < 0 && !firm.buysShortfall ? 0 : position
        }
        trade(&market, &period, registry: &registry, firms: active, positions: positions, price: price,
              stage: .trueUp, allowReserve: market.rules.fixedPrice != nil, tick: tick)
        // Offsets: the city's credits, up to the limit, for firms still short.
        let offsets = world.resource(OffsetBook.self)
        let penalty = market.rules.penaltyMultiple ?? catalog.carbon.penaltyMultiple
        let coveredTax = policies.carbonTax(in: period.year)
        var budgetIncome = 0.0, offsetsSoldToFirms = 0.0
        for i in active {
            var firm = market.firms[i]
            var short = firm.verified - registry.balance(firm.account, .allowance)
            if short > 0, firm.buysShortfall, let offsets, offsets.cityAccount >= 0 {
                let limit = Int64((Double(firm.verified) * catalog.carbon.offsetLimit).rounded(.down))
                let count = min(short, limit, registry.balance(offsets.cityAccount, .offset))
                if count > 0, (try? registry.transfer(.offset, count: count, from: offsets.cityAccount, to: firm.account, tick: tick,
                                                      note: "offsets for \(period.year)")) != nil {
                    try? registry.surrender(.offset, count: count, from: firm.account, tick: tick, note: "compliance \(period.year)")
                    firm.offsetsSurrendered = count
                    firm.tradeCost += Double(count) * price
                    budgetIncome += Double(count) * price
                    offsetsSoldToFirms += Double(count) * price
                    period.trades.append(MarketTrade(stage: .offsets, buyer: firm.account, seller: offsets.cityAccount, count: count, price: price))
                    short -= count
                }
            }
            let surrender = min(firm.verified - firm.offsetsSurrendered, registry.balance(firm.account, .allowance))
            if surrender > 0 {
                try? registry.surrender(.allowance, count: surrender, from: firm.account, tick: tick, note: "compliance \(period.year)")
            }
            firm.surrendered = max(0, surrender)
            firm.shortfall = max(0, firm.verified - firm.surrendered - firm.offsetsSurrendered)
            if firm.shortfall > 0 {
                firm.fine = Double(firm.shortfall) * price * penalty
                firm.status = .fined
                firm.reputation = max(0, firm.reputation - catalog.carbon.reputationLoss)
            } else {
                firm.status = .compliant
                firm.reputation = min(1, firm.reputation + catalog.carbon.reputationLoss / 2)
                period.compliant += 1
            }
            if coveredTax > 0 { firm.tax = Double(firm.verified) * coveredTax }
            // Banking off: what is left lapses.
            let left = registry.balance(firm.account, .allowance)
            if policies.banking <= 0, left > 0 {
                try? registry.cancel(.allowance, count: left, from: firm.account, tick: tick, note: "lapsed \(period.year)")
                period.lapsed += left
            }
            period.fines += firm.fine
            period.taxes += firm.tax
            period.verified += firm.verified
            period.surrendered += firm.surrendered
            period.offsetsSurrendered += firm.offsetsSurrendered
            period.results.append(FirmResult(account: firm.account, abatement: firm.abatement, allocated: firm.allocated,
                                             bought: firm.bought, sold: firm.sold, verified: firm.verified,
                                             surrendered: firm.surrendered, offsetsSurrendered: firm.offsetsSurrendered,
                                             shortfall: firm.shortfall, fine: firm.fine, netCash: firm.netCash, status: firm.status,
                                             abatementCost: firm.abatementCost))
            market.firms[i] = firm
        }
        period.firms = active.count
        // The city's unsold allowances of the period are cancelled, not carried.
        let unsold = registry.balance(market.government, .allowance)
        if unsold > 0 {
            try? registry.cancel(.allowance, count: unsold, from: market.government, tick: tick, note: "unsold \(period.year)")
        }
        budgetIncome += period.auctionRevenue + period.fines + period.taxes
        // Power plants are the city's own (it pays their fuel): their market bill — trades,
        // abatement, fines and tax — is the city's too, so fines and tax paid by them net out.
        var plantsNetCash = 0.0
        for i in active where market.firms[i].kind == .power {
            budgetIncome += market.firms[i].netCash
            plantsNetCash += market.firms[i].netCash
        }
        period.settled = true
        market.periods.append(period)
        world.withResource(Budget.self) { budgetIncome >= 0 ? $0.earn(budgetIncome) : $0.spend(-budgetIncome) }
        world.book(.offsetSales, offsetsSoldToFirms, closingHour: true)
        world.book(.carbonAuction, period.auctionRevenue, closingHour: true)
        world.book(.carbonFines, period.fines, closingHour: true)
        world.book(.carbonFirmTax, period.taxes, closingHour: true)
        world.book(.plantsCarbonMarket, plantsNetCash, closingHour: true)
        Rules.post(.event, world: world, Names(en: "Carbon market \(period.year): \(period.compliant) of \(period.firms) firms complied at \(Fixed.format(price, 2)) yuan/t; fines \(Int(period.fines)) yuan",
                                     zh: "碳市场 \(period.year)：\(period.firms) 家企业中 \(period.compliant) 家履约，价格 \(Fixed.format(price, 2)) 元/吨；罚款 \(Int(period.fines)) 元"),
                   tick: tick)
    }

    /// Writes each covered firm's abatement share onto its plant or building.
    static func applyAbatement(_ market: CarbonMarket, world: World) {
        for firm in market.firms where firm.active && world.isAlive(firm.entity) {
            if firm.kind == .power {
                try? world.modify(PowerPlant.self, of: firm.entity) { $0.abatement = firm.abatement }
            } else {
                try? world.modify(Building.self, of: firm.entity) { $0.abatement = firm.abatement }
            }
        }
    }
}

extension CoveredFirm {
    mutating func resetPeriod() {
        allocated = 0; bought = 0; sold = 0; verified = 0; surrendered = 0; offsetsSurrendered = 0; shortfall = 0
        abatementCost = 0; tradeRevenue = 0; tradeCost = 0; fine = 0; tax = 0
        status = .open
    }
}

// MARK: - [SECTION] Emissions a firm answers for

/// Each candidate firm's emissions in a closed year, read from its ledger lines: a plant's
/// stack less capture; a factory's process and heating; a data centre's heating plus its
/// electricity at the market-based factor (after the certificates it retired, Certificates.swift).
struct FirmEmissions {
    struct Candidate {
        var entity: Entity
        var kind: CoveredKind
        /// What the firm is called: given, or made from its structure and tile when it joins
        /// (the reference city has thousands of candidates a year and few join; making every
        /// name was most of the year's last tick for "market.year").
        enum NameSource { case given(Names), structure(Structure, TilePosition) }
        var nameSource: NameSource
        var x: Int, y: Int
        var tonnes: Double
        var activity: Double

        init(entity: Entity, kind: CoveredKind, name: Names, x: Int, y: Int, tonnes: Double, activity: Double) {
            self.init(entity: entity, kind: kind, nameSource: .given(name), x: x, y: y, tonnes: tonnes, activity: activity)
        }

        init(entity: Entity, kind: CoveredKind, nameSource: NameSource, x: Int, y: Int, tonnes: Double, activity: Double) {
            self.entity = entity
            self.kind = kind
            self.nameSource = nameSource
            self.x = x
            self.y = y
            self.tonnes = tonnes
            self.activity = activity
        }

        func name(_ catalog: Catalog) -> Names {
            switch nameSource {
            case .given(let names): return names
            case .structure(let structure, let position): return catalog.names(structure, at: position)
            }
        }
    }
    var candidates: [Candidate] = []

    init(candidates: [Candidate]) { self.candidates = candidates }

    init(world: World, year: Int) {
        let catalog = world.resource(Catalog.self)!
        let certificates = world.resource(CertificateBook.self)
        func yearTonnes(_ flow: Flow) -> Double { flow.year == year ? flow.yearTonnes : 0 }
        func yearQuantity(_ flow: Flow) -> Double { flow.year == year ? flow.yearQuantity : 0 }
        world.query(Entity.self, Read<PowerPlant>.self, Read<TilePosition>.self, Read<PrimaryLine>.self, Read<ProcessLine>.self)
            .forEach { entity, plant, position, stack, _ in
            guard catalog.plant(plant.kind).emissionFactor > 0 else { return }
            // CO2 at the stack, net of capture (China's ETS covers CO2; CH4 and N2O are on the process line).
            let tonnes = yearTonnes(stack.flow)
            candidates.append(Candidate(entity: entity, kind: .power, nameSource: .structure(.plant(plant.kind), position),
                                        x: Int(position.x), y: Int(position.y), tonnes: tonnes, activity: yearQuantity(stack.flow)))
        }
        func name(_ kind: BuildingKind, _ position: TilePosition) -> Candidate.NameSource { .structure(.building(kind), position) }
        // Buildings' gas and electricity as booked so far (BuildingLoads.swift).
        let loads = world.resource(BuildingLoadBook.self) ?? BuildingLoadBook()
        let factors = BuildingLoads.LineFactorIDs(world.resource(Catalog.self))
        world.query(Entity.self, Read<Building>.self, Read<BuildingLoad>.self, Read<TilePosition>.self, Read<PrimaryLine>.self,
                    Read<ProcessLine>.self)
            .forEach { entity, building, load, position, heat, process in
            guard building.kind == .industrial else { return }
            let heat = world.withPending(heat, load: load, kind: building.kind, book: loads, factors: factors)
            let process = world.withPending(process, load: load, kind: building.kind, book: loads, factors: factors)
            candidates.append(Candidate(entity: entity, kind: .industry, nameSource: name(building.kind, position),
                                        x: Int(position.x), y: Int(position.y),
                                        tonnes: yearTonnes(heat.flow) + yearTonnes(process.flow), activity: yearQuantity(process.flow)))
        }
        world.query(Entity.self, Read<Building>.self, Read<BuildingLoad>.self, Read<TilePosition>.self, Read<PrimaryLine>.self,
                    Read<ElectricityLine>.self)
            .forEach { entity, building, load, position, heat, electricity in
            guard building.kind == .datacenter else { return }
            let heat = world.withPending(heat, load: load, kind: building.kind, book: loads, factors: factors)
            let electricity = world.withPending(electricity, load: load, kind: building.kind, book: loads, factors: factors)
            let claimed = certificates?.claimedKWh(by: entity, year: year) ?? 0
            let kWh = yearQuantity(electricity.flow)
            let factor = certificates?.residualFactor(year: year) ?? (kWh > 0 ? yearTonnes(electricity.flow) / kWh : 0)
            candidates.append(Candidate(entity: entity, kind: .datacenter, nameSource: name(building.kind, position),
                                        x: Int(position.x), y: Int(position.y),
                                        tonnes: yearTonnes(heat.flow) + max(0, kWh - claimed) * factor, activity: kWh))
        }
    }

    func tonnes(of entity: Entity) -> Double? { candidates.first { $0.entity == entity }?.tonnes }
}
