// Certificates.swift — green-power certificates: one per 1,000 kWh of renewable power, retired by
// the consumers who claim that power ("who consumes is responsible": 崔雯君, 2026, docs/sources.md).
//
// Phase simulate, "certificates.meter" (after grid.dispatch): each renewable plant (wind, solar,
//   hydro, biomass) meters the kWh it sent out.
// Phase account, "certificates.year" (after clock.advance):
//   - on the 1st of each month: each plant is issued one certificate per whole 1,000 kWh metered
//     (vintage: the year the power was made); the remainder waits for the next month;
//   - on 1 January, for the year that closed: consumers — data centres first, then covered
//     factories — buy certificates of that vintage from the plants (the city owns the plants and
//     earns the catalog price) up to the green-power target share of their consumption, and
//     retire them. Then electricity emissions are reported two ways:
//       location-based: every kWh at the grid factor of the hour it was used (the ledger's lines);
//       market-based:   claimed kWh at zero, every other kWh at the residual factor
//                       r = location-based total ÷ (all kWh − claimed kWh),
//     so the market-based total equals the location-based total: a claimed kWh leaves the
//     residual mix, and no kWh is subtracted twice (the registry retires each certificate once).
import ECS

public struct CertificateClaim: Sendable, Equatable, Codable {
    public var entity: Entity
    public var account: RegistryAccountID
    public var name: Names
    public var consumedKWh: Double
    public var claimedKWh: Double
    /// tCO2e at the grid factor (the ledger's scope-2 line) and after certificates.
    public var locationTonnes: Double
    public var marketTonnes: Double
}

public struct CertificateYear: Sendable, Equatable, Codable {
    public var year: Int
    /// Renewable plants' output metered in the year, kWh.
    public var renewableKWh = 0.0
    public var issued: Int64 = 0
    public var retired: Int64 = 0
    public var claimedKWh = 0.0
    /// Every consumer's electricity in the year, kWh, and its scope-2 tonnes both ways.
    public var consumedKWh = 0.0
    public var locationBased = 0.0
    public var marketBased = 0.0
    /// tCO2e per kWh left for unclaimed consumption.
    public var residualFactor = 0.0
    public var revenue = 0.0
    public var claims: [CertificateClaim] = []
    public init(year: Int) { self.year = year }
}

public struct CertificateBook: Sendable, Equatable, SavedResource {
    /// Registry accounts of renewable plants and of consumers, by entity.
    public internal(set) var generators: [(entity: Entity, account: RegistryAccountID)] = []
    public internal(set) var consumers: [(entity: Entity, account: RegistryAccountID)] = []
    public internal(set) var years: [CertificateYear] = []
    public internal(set) var thisYear: CertificateYear
    public init(year: Int) { thisYear = CertificateYear(year: year) }

    public static func == (a: CertificateBook, b: CertificateBook) -> Bool {
        a.years == b.years && a.thisYear == b.thisYear
            && a.generators.map(\.entity) == b.generators.map(\.entity) && a.generators.map(\.account) == b.generators.map(\.account)
            && a.consumers.map(\.entity) == b.consumers.map(\.entity) && a.consumers.map(\.account) == b.consumers.map(\.account)
    }

    public func claimedKWh(by entity: Entity, year: Int) -> Double {
        years.last { $0.year == year }?.claims.first { $0.entity == entity }?.claimedKWh ?? 0
    }

    /// tCO2e/kWh for unclaimed consumption in a closed year (nil before it is settled).
    public func residualFactor(year: Int) -> Double? { years.last { $0.year == year }?.residualFactor }

    public var totalRetired: Int64 { years.reduce(0) { $0 + $1.retired } }
}

public enum Certificates: SimulationPlugin {
    public static func build(_ sim: SimulationBuilder) {
        sim.resource("certificates", CertificateBook.self) { CertificateBook(year: $0.clock.year) }
        sim.system("certificates.meter", Phase.simulate, writes: [PowerPlant.self], readsResources: [Clock.self],
                   writesResources: [CertificateBook.self],
                   after: ["grid.dispatch"], run: meter)
        sim.system("certificates.year", Phase.account,
                   reads: [Building.self, TilePosition.self, ElectricityLine.self, PrimaryLine.self, ProcessLine.self,
                           ConstructionLine.self, RoadFreightLine.self, RailFreightLine.self,
                           CarTripsLine.self, BusTripsLine.self, TripElectricityLine.self, OutOfTownTripsLine.self,
                           OutOfTownTripsBeyondLine.self],
                   writes: [PowerPlant.self],
                   readsResources: [Catalog.self, Clock.self, Policies.self, Ledger.self, CarbonMarket.self],
                   writesResources: [CertificateBook.self, CarbonRegistry.self, Budget.self, BudgetBook.self],
                   after: ["clock.advance"], before: ["level.rules"],
                   // A month's certificates, and on 1 January the year's claims over every consumer.
                   runsLong: { Certificates.isMonthStart($0) }, run: { ctx in
            guard isMonthStart(ctx.world) else { return }
            let clock = ctx.world.resource(Clock.self)!
            let vintage = clock.isNewYear ? clock.year - 1 : clock.year
            issue(world: ctx.world, vintage: vintage, tick: clock.tick)
            if clock.isNewYear { settleYear(world: ctx.world, year: clock.year - 1, tick: clock.tick) }
        })
    }

    /// 00:00 on the first of a month (the clock has advanced): when "certificates.year" works.
    static func isMonthStart(_ world: World) -> Bool {
        let clock = world.resource(Clock.self)!
        return clock.isNewDay && clock.date.day == 1
    }

    static func meter(_ ctx: SystemContext) {
        var metered = 0.0
        ctx.world.query(Write<PowerPlant>.self).forEach { plant in
            guard plant.value.kind.isRenewable, plant.value.outputKW > 0 else { return }
            plant.value.meteredKWh += plant.value.outputKW
            metered += plant.value.outputKW
        }
        if metered > 0 { ctx.world.withResource(CertificateBook.self) { $0.thisYear.renewableKWh += metered } }
    }

    /// One certificate per whole `kwh_per_certificate` metered, to each plant's account.
    static func issue(world: World, vintage: Int, tick: Int64) {
        world.resourceScope(CertificateBook.self, CarbonRegistry.self) { book, registry in
            let perCertificate = world.resource(Catalog.self)!.carbon.kWhPerCertificate
            guard perCertificate > 0 else { return }
            let catalog = world.resource(Catalog.self)!
            var issued: [(Entity, Int64)] = []
            world.query(Entity.self, Write<PowerPlant>.self, Read<TilePosition>.self).forEach { entity, plant, _ in
                let count = Int64((plant.value.meteredKWh / perCertificate).rounded(.down))
                guard count > 0 else { return }
                plant.value.meteredKWh -= Double(count) * perCertificate
                issued.append((entity, count))
            }
            for (entity, count) in issued {
                let account: RegistryAccountID
                if let known = book.generators.first(where: { $0.entity == entity })?.account {
                    account = known
                } else {
                    let kind = (try? world.get(PowerPlant.self, of: entity))?.kind ?? .solar
                    let position = (try? world.get(TilePosition.self, of: entity)) ?? TilePosition(0, 0)
                    account = registry.openAccount(.generator, name: catalog.names(.plant(kind), at: position), entity: entity)
                    book.generators.append((entity, account))
                }
                if (try? registry.issue(.certificate, count: count, vintage: vintage, to: account, tick: tick, note: "renewable power")) != nil {
                    if book.thisYear.year == vintage { book.thisYear.issued += count }
                }
            }
        }
    }

    /// Consumers buy and retire certificates for the closed year; both scope-2 totals are computed.
    static func settleYear(world: World, year: Int, tick: Int64) {
        world.resourceScope(CertificateBook.self, CarbonRegistry.self) { book, registry in
            let catalog = world.resource(Catalog.self)!
            let policies = world.resource(Policies.self)!
            var record = book.thisYear
            record.year = year
            book.thisYear = CertificateYear(year: year + 1)
            // Every consumer's electricity of the year (buildings and citizens' charging). Scope 2
            // is booked on two kinds of line alone (grid.attribute's `ElectricityLine` and the home
            // blocks' `TripElectricityLine`), so only those are walked, in the ledger's order of
            // kinds (`LedgerLineKinds.visitAll`): the same additions in the same order as a walk
            // over every line, without the other nine kinds' hundreds of thousands of lines
            // (this walk was most of the year's last tick on the reference city).
            func addElectricity(_ flow: Flow) {
                guard flow.scope == .electricity, flow.year == year else { return }
                record.consumedKWh += flow.yearQuantity
                record.locationBased += flow.yearTonnes
            }
            world.query(Read<ElectricityLine>.self).forEach { addElectricity($0.flow) }
            world.query(Read<TripElectricityLine>.self).forEach { addElectricity($0.flow) }
            // Data centres first, then covered factories (the market's active firms, looked up once).
            let activeFirms = world.resource(CarbonMarket.self)?.firms.filter(\.active).map(\.entity) ?? []
            var consumers: [(Entity, Names, Double, Double)] = []  // entity, name, kWh, location tonnes
            for kind in [BuildingKind.datacenter, .industrial] {
                world.query(Entity.self, Read<Building>.self, Read<TilePosition>.self, Read<ElectricityLine>.self).forEach { entity, building, position, line in
                    guard building.kind == kind, line.flow.year == year, line.flow.yearQuantity > 0 else { return }
                    if kind == .industrial && !activeFirms.contains(entity) { return }
                    consumers.append((entity, catalog.names(.building(kind), at: position), line.flow.yearQuantity, line.flow.yearTonnes))
                }
            }
            let perCertificate = catalog.carbon.kWhPerCertificate
            let target = min(1, max(0, policies.greenPowerTarget))
            for (entity, name, kWh, location) in consumers {
                var claim = CertificateClaim(entity: entity, account: -1, name: name, consumedKWh: kWh, claimedKWh: 0,
                                             locationTonnes: location, marketTonnes: 0)
                var wanted = target > 0 && perCertificate > 0 ? Int64((target * kWh / perCertificate).rounded(.down)) : 0
                if wanted > 0 {
                    let account = book.consumers.first { $0.entity == entity }?.account
                        ?? registry.account(for: entity)
                        ?? registry.openAccount(.consumer, name: name, entity: entity)
                    if !book.consumers.contains(where: { $0.entity == entity }) { book.consumers.append((entity, account)) }
                    claim.account = account
                    for generator in book.generators where wanted > 0 {
                        let count = min(wanted, registry.balance(generator.account, .certificate, vintage: year))
                        guard count > 0, (try? registry.transfer(.certificate, count: count, from: generator.account, to: account,
                                                                 vintage: year, tick: tick, note: "green power \(year)")) != nil else { continue }
                        wanted -= count
                        record.revenue += Double(count) * catalog.carbon.certificatePrice
                    }
                    let held = registry.balance(account, .certificate, vintage: year)
                    if held > 0, (try? registry.retire(.certificate, count: held, from: account, vintage: year, tick: tick,
                                                       note: "claims \(year) electricity")) != nil {
                        record.retired += held
                        claim.claimedKWh = min(kWh, Double(held) * perCertificate)
                        record.claimedKWh += claim.claimedKWh
                    }
                }
                record.claims.append(claim)
            }
            let unclaimed = record.consumedKWh - record.claimedKWh
            record.residualFactor = unclaimed > 0 ? record.locationBased / unclaimed : 0
            record.marketBased = unclaimed * record.residualFactor
            for i in record.claims.indices {
                record.claims[i].marketTonnes = (record.claims[i].consumedKWh - record.claims[i].claimedKWh) * record.residualFactor
            }
            book.years.append(record)
            if record.revenue > 0 {
                world.withResource(Budget.self) { $0.earn(record.revenue) }
                world.book(.certificates, record.revenue, closingHour: true)
            }
        }
    }
}

extension CertificateBook {
    enum CodingKeys: String, CodingKey { case generators, consumers, years, thisYear }
    struct AccountOf: Codable {
        var entity: Entity
        var account: RegistryAccountID
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(generators.map { AccountOf(entity: $0.entity, account: $0.account) }, forKey: .generators)
        try container.encode(consumers.map { AccountOf(entity: $0.entity, account: $0.account) }, forKey: .consumers)
        try container.encode(years, forKey: .years)
        try container.encode(thisYear, forKey: .thisYear)
    }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(year: 0)
        generators = try container.decode([AccountOf].self, forKey: .generators).map { ($0.entity, $0.account) }
        consumers = try container.decode([AccountOf].self, forKey: .consumers).map { ($0.entity, $0.account) }
        years = try container.decode([CertificateYear].self, forKey: .years)
        thisYear = try container.decode(CertificateYear.self, forKey: .thisYear)
    }
}
