"""A seeded synthetic corpus of crypto news articles, laid out as a site folder the generator builds.

    python bench/corpus.py --n 10000 --out bench/work/site-10000 --seed 1

Writes OUT/content/articles/YYYY/slug.md (front matter as in shared SITE.md: title, date with a
timezone, one of the 9 news categories, tags from a pool of ~300 with Zipf-like popularity,
summary, some with reading_time/author/coins/image), OUT/content/_data/{pageviews.csv,ticker.json},
the repository's content/pages/, site.toml, layouts/ and assets/ (so the example layouts apply),
and OUT/corpus.json: the metadata the benchmark needs (counts per category and tag, every
article's slug and date) so it can check other generators' page counts without re-parsing.

Same --n, --seed and --profile: byte-identical output.

--profile light (the default, kept so figures stay comparable over time): bodies of 500-1,200
words (about 800 on average) with h2 sections, bullet lists, links, bold/italic/inline code, and in
some articles a table, a quote or a fenced code block.

--profile heavy (news copy as held-out corpora have it): bodies of 600-2,500 words, and one in
thirty a long read of 5,000-9,000; h2 sections with h3 subsections (a table of contents), wide
tables in most articles, long and nested lists, a link in about every third sentence, images in
the body, code blocks, footnotes and quotes; and one in thirty-three a recurring headline ("Market
wrap") that the generator numbers within its month (-2, -3 in date order).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
import unicodedata
from bisect import bisect
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CATEGORIES = ["Altcoins", "Adoption", "Bitcoin", "Blockchain", "DeFi", "Ethereum", "Markets", "NFTs", "Policy"]
# The newest article of every corpus is dated just before this instant; the benchmark builds with
# SOURCE_DATE_EPOCH = END so the output does not depend on the day it runs.
END = datetime(2026, 6, 30, 18, 0, tzinfo=timezone.utc)
BUILD_EPOCH = END + timedelta(hours=6)  # the benchmark's SOURCE_DATE_EPOCH: "now" for every build
SPAN_DAYS = 3 * 365
TIMEZONES = [timezone.utc] * 6 + [timezone(timedelta(hours=h, minutes=m)) for h, m in
                                  ((-5, 0), (-4, 0), (1, 0), (2, 0), (5, 30), (8, 0), (9, 0), (-8, 0))]

# (name, symbol) of coins and tokens the articles talk about; the first ten are the ticker's
COINS = [("Bitcoin", "BTC"), ("Ethereum", "ETH"), ("Tether", "USDT"), ("BNB", "BNB"), ("XRP", "XRP"),
         ("Solana", "SOL"), ("USD Coin", "USDC"), ("Lido Staked Ether", "STETH"), ("Dogecoin", "DOGE"),
         ("TRON", "TRX"), ("Cardano", "ADA"), ("Avalanche", "AVAX"), ("Chainlink", "LINK"), ("Polkadot", "DOT"),
         ("Polygon", "POL"), ("Litecoin", "LTC"), ("Shiba Inu", "SHIB"), ("Toncoin", "TON"), ("Uniswap", "UNI"),
         ("Stellar", "XLM"), ("Monero", "XMR"), ("Cosmos", "ATOM"), ("Near Protocol", "NEAR"), ("Aptos", "APT"),
         ("Arbitrum", "ARB"), ("Optimism", "OP"), ("Sui", "SUI"), ("Aave", "AAVE"), ("Maker", "MKR"),
         ("Filecoin", "FIL"), ("Internet Computer", "ICP"), ("Hedera", "HBAR"), ("Algorand", "ALGO"),
         ("Tezos", "XTZ"), ("Render", "RNDR"), ("Injective", "INJ"), ("Kaspa", "KAS"), ("Pepe", "PEPE"),
         ("Bitcoin Cash", "BCH"), ("Ethereum Classic", "ETC"), ("Dai", "DAI"), ("Curve", "CRV"),
         ("Lido DAO", "LDO"), ("The Graph", "GRT"), ("Celestia", "TIA"), ("Sei", "SEI"), ("Stacks", "STX"),
         ("Immutable", "IMX"), ("Fantom", "FTM"), ("Hyperliquid", "HYPE"), ("Ondo", "ONDO"), ("Jupiter", "JUP"),
         ("Ethena", "ENA"), ("Worldcoin", "WLD"), ("Pendle", "PENDLE"), ("Bonk", "BONK"), ("dogwifhat", "WIF")]

TOPICS = """Cryptocurrency Adoption; Digital Assets; Regulation; Stablecoins; Spot Bitcoin ETFs; Ether ETFs;
Bitcoin Mining; Mining Difficulty; Hashrate; Halving; Layer 2; Rollups; Zero-Knowledge Proofs; Staking;
Restaking; Liquid Staking; Decentralized Exchanges; Lending Protocols; Yield Farming; Liquidations;
Derivatives; Futures; Options; Funding Rates; Open Interest; On-Chain Analysis; Whale Activity;
Exchange Flows; Market Sentiment; Volatility; Macro; Interest Rates; Inflation; Federal Reserve;
Tokenization; Real-World Assets; Tokenized Treasuries; CBDCs; Digital Euro; Payments; Remittances;
Lightning Network; Ordinals; Runes; Memecoins; Airdrops; Token Unlocks; Governance; DAOs; Smart Contracts;
Security; Hacks; Exploits; Phishing; Scams; Wallets; Self-Custody; Hardware Wallets; Custody; Institutional Investors;
Asset Managers; Hedge Funds; Corporate Treasuries; Venture Capital; Funding Rounds; Layoffs; Earnings;
Exchanges; Exchange Listings; Delistings; Proof of Reserves; Market Makers; Liquidity; Order Books;
Cross-Chain Bridges; Interoperability; Oracles; MEV; Gas Fees; Blob Fees; Data Availability; Sharding;
Network Upgrades; Hard Forks; Soft Forks; Testnets; Mainnet Launches; Developer Activity; Open Source;
Privacy Coins; Mixers; Sanctions; AML Rules; Know Your Customer (KYC); Travel Rule; Taxation; Tax Reporting;
Court Rulings; Lawsuits; Enforcement Actions; Settlements; Bankruptcy; Creditor Repayments;
Energy Use; Renewable Energy in Blockchain; Stranded Gas; Grid Stability; Carbon Credits;
NFT Marketplaces; Generative Art; Digital Collectibles; Gaming; Play-to-Earn; Metaverse; Music NFTs;
Social Tokens; Creator Economy; SocialFi; Prediction Markets; AI Tokens; Decentralized AI; DePIN;
Decentralized Identity; Account Abstraction; Wallet UX; Onboarding; Fiat On-Ramps; Point-of-Sale Payments;
Merchant Adoption; Emerging Markets; Africa; Latin America; Asia; Europe; Middle East; Retail Investors;
Price Analysis; Technical Analysis; All-Time Highs; Bear Market; Bull Market; Correction; Capitulation;
Dominance; Altcoin Season; Treasury Bonds; Gold; Equities; Dollar Index; Quantum Computing; Cryptography;
Post-Quantum Signatures; Research Reports; Surveys; Education; Interviews; Conferences; Hackathons""".replace("\n", " ")

ORGS = """SEC; CFTC; Federal Reserve Board; European Central Bank; ESMA; MiCA; Bank of England; FCA; IMF; World Bank;
BIS; FATF; Hong Kong SFMA; Monetary Authority of Singapore; Reserve Bank of India; Bank of Japan; People's Bank of China;
US Treasury; Congress; Senate Banking Committee; European Parliament; G20; BlackRock; Fidelity; Grayscale;
ARK Invest; VanEck; Franklin Templeton; JPMorgan; Goldman Sachs; Visa; Mastercard; PayPal; Stripe; Coinbase;
Binance; Kraken; OKX; Bybit; Bitfinex; Gemini; Robinhood; Circle; Paxos; MicroStrategy; Tesla; Block Inc;
Lido; EigenLayer; Uniswap Labs; Aave Labs; MakerDAO; Sky; Compound; Curve Finance; dYdX; GMX; Jito;
Base; zkSync; Starknet; Scroll; Linea; Blast; Mantle; OpenSea; Blur; Magic Eden; Yuga Labs; Art Blocks;
Ethereum Foundation; Solana Foundation; Ripple; Tether Ltd; Chainalysis; Elliptic; Glassnode; CoinShares;
Bitwise; Marathon Digital; Riot Platforms; CleanSpark; Hut 8; Core Scientific; El Salvador; Pakistan;
Argentina; Nigeria; Kenya; Brazil; Turkey; United Arab Emirates; South Korea; Japan; Hong Kong; Singapore;
Switzerland; Germany; France; United Kingdom; Canada; Australia; India; Vietnam; Philippines; Thailand""".replace("\n", " ")

FIRST = ["Daniel", "Maria", "Aisha", "Tom", "Priya", "Kenji", "Laura", "Omar", "Sofia", "Lucas", "Chen", "Ngozi",
         "Elena", "Farah", "Marcus", "Ines", "Yuki", "David", "Amara", "Jonas"]
LAST = ["Reyes", "Okafor", "Schmidt", "Nakamura", "Patel", "Silva", "Novak", "Haddad", "Kowalski", "Lindqvist",
        "Moreau", "Adeyemi", "Tanaka", "Fischer", "Costa", "Brennan", "Ivanova", "Mensah", "Duarte", "Larsen"]

WORDS = """market network protocol investors traders analysts regulators developers users exchange token price
liquidity volume supply demand fees yield risk reserve custody wallet chain block validator miner hashrate
upgrade proposal vote treasury fund issuer stablecoin bond rate inflation policy framework license rule court
filing statement report survey data flows outflows inflows position leverage volatility rally slide rebound
support resistance range trend momentum sentiment adoption payments merchants remittances savings balance sheet
allocation portfolio product launch partnership integration settlement bridge contract audit vulnerability
patch incident recovery community governance roadmap mainnet testnet client release performance throughput
latency capacity cost efficiency energy grid power hardware software interface standard compliance disclosure""".split()
ADJ = """institutional retail regulatory on-chain cross-border decentralised centralised volatile steady record
modest sharp sustained early late quarterly annual weekly daily new proposed final independent public private
global regional domestic technical structural cautious bullish bearish mixed stronger weaker broader narrower""".split()
VERB = """said noted argued warned estimated reported confirmed expects suggested pointed out acknowledged added
explained cautioned observed""".split()
CLAUSES = [
    "according to data compiled by {org}",
    "as {topic} remained in focus for {adj} investors",
    "after {org} published its latest figures",
    "while {coin} traded in a {adj} range",
    "even as {adj} {word} weighed on the {word}",
    "in a move that surprised some {word} watchers",
    "ahead of a decision expected from {org} later this month",
    "with {topic} drawing renewed attention",
    "despite {adj} conditions across the {word}",
    "compared with the same period last year",
]
SENTENCES = [
    "{Org} {verb} that {adj} {word} in {topic} had grown by {pct} over the past {period}.",
    "{Coin} moved {pct} {clause}.",
    "The {word} around {topic} has shifted, {clause}.",
    "Analysts at {org} {verb} that the {adj} {word} could persist for several {periods}.",
    "On-chain data showed {num} {units} moving to {org} wallets {clause}.",
    "For {adj} {word}, the question is whether {topic} can sustain the {word} it has built.",
    "{Person}, a {role} at {org}, {verb} that \"the {word} is {adj}, but the {word} is not\".",
    "Trading volume in {coin} reached {money} {clause}.",
    "The proposal would change how {topic} is handled, {clause}.",
    "Critics {verb} that {topic} still lacks a clear {adj} {word}.",
    "Total value locked across {topic} protocols stood at {money}, {clause}.",
    "{Org} has not commented publicly on the {word}.",
    "Fees on the network averaged {small} per transaction {clause}.",
    "The {adj} {word} follows months of debate over {topic} and {topic2}.",
    "Several {word} providers have already announced support for {coin}.",
    "Market participants will be watching {org} for signs of a change in {topic}.",
    "Data from {org} suggests that {adj} demand for {coin} has {trend} since {month}.",
    "That is roughly {pct} higher than the level recorded in {month}.",
    "It remains unclear how the {word} will affect {topic} over the longer term.",
    "The {word} is expected to take effect in {month}, {clause}.",
]
LINK_TEXT = ["report", "filing", "dashboard", "announcement", "research note", "statement", "data", "proposal"]
EXTERNAL = ["https://www.sec.gov/news", "https://www.bis.org/publications", "https://ethereum.org/en/roadmap/",
            "https://bitcoin.org/en/bitcoin-paper", "https://www.imf.org/en/Topics/fintech",
            "https://www.esma.europa.eu/esmas-activities/digital-finance-and-innovation",
            "https://defillama.com/", "https://mempool.space/", "https://l2beat.com/scaling/summary",
            "https://www.federalreserve.gov/newsevents.htm"]
HEADINGS = ["What happened", "Why it matters", "The numbers", "Market reaction", "What analysts say",
            "Regulatory backdrop", "How it works", "What comes next", "The bigger picture", "Risks to watch",
            "On-chain signals", "Background", "Reaction from the industry", "What it means for users",
            "A closer look at {topic}", "Where {coin} goes from here", "The {org} angle", "Timeline"]
TITLE_PATTERNS = [
    "{Coin} {Move} {Pct} as {Topic} {Drives}",
    "{Org} {Acts} on {Topic}",
    "{Coin} {Move} After {Org} {Event}",
    "Why {Topic} Matters for {Coin} Holders",
    "{Org} and {Org2} Team Up on {Topic}",
    "{Topic} Hits Record as {Coin} {Move}",
    "How {Topic} Is Changing {Topic2}",
    "{Coin} Traders Eye {Topic} Ahead of {Org} Decision",
    "{Org} Report Finds {Topic} {Trend}",
    "What the {Org} Ruling Means for {Topic}",
    "{Country} Moves Ahead With {Topic} Plans",
    "{Coin} Developers Ship {Topic} Upgrade",
]
MOVES = ["Climbs", "Slides", "Jumps", "Dips", "Rebounds", "Rallies", "Falls", "Edges Higher", "Steadies", "Surges",
         "Retreats", "Holds Gains"]
DRIVES = ["Takes Center Stage", "Draws Buyers", "Weighs on Sentiment", "Lifts Volumes", "Spooks Traders",
          "Gains Momentum", "Cools Off"]
ACTS = ["Proposes New Rules", "Opens Consultation", "Issues Guidance", "Launches Review", "Tightens Oversight",
        "Approves Framework", "Delays Decision", "Publishes Report"]
EVENTS = ["Filing", "Announcement", "Earnings", "Hearing", "Statement", "Policy Shift", "Listing", "Upgrade"]
TRENDS = ["Is Accelerating", "Is Slowing", "Remains Concentrated", "Is Going Mainstream", "Faces Headwinds",
          "Keeps Growing"]
COUNTRIES = ["El Salvador", "Pakistan", "Argentina", "Nigeria", "Kenya", "Brazil", "Turkey", "Japan", "South Korea",
             "Hong Kong", "Singapore", "Switzerland", "Germany", "France", "Canada", "Australia", "India", "Vietnam",
             "Thailand", "United Kingdom", "United Arab Emirates", "Philippines"]
ROLES = ["research analyst", "portfolio manager", "policy director", "core developer", "chief economist",
         "head of trading", "partner", "lawyer", "product lead", "strategist"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
CODE = [
    ("solidity", "pragma solidity ^0.8.24;\n\ncontract Vault {\n    mapping(address => uint256) public balances;\n\n"
                 "    function deposit() external payable {\n        balances[msg.sender] += msg.value;\n    }\n\n"
                 "    function withdraw(uint256 amount) external {\n        require(balances[msg.sender] >= amount, \"low balance\");\n"
                 "        balances[msg.sender] -= amount;\n        (bool ok, ) = msg.sender.call{value: amount}(\"\");\n"
                 "        require(ok);\n    }\n}"),
    ("python", "import json\nfrom urllib.request import urlopen\n\nURL = \"https://mempool.space/api/v1/fees/recommended\"\n\n"
               "def fees() -> dict:\n    with urlopen(URL, timeout=10) as resp:\n        return json.load(resp)\n\n"
               "if __name__ == \"__main__\":\n    print(fees()[\"fastestFee\"], \"sat/vB\")"),
    ("bash", "# check the chain tip of a local node\nbitcoin-cli getblockchaininfo | jq '.blocks, .headers'\n"
             "bitcoin-cli getmempoolinfo | jq '.size'"),
    ("json", "{\n  \"jsonrpc\": \"2.0\",\n  \"method\": \"eth_getBalance\",\n  \"params\": [\"0x742d35Cc6634C0532925a3b844Bc454e4438f44e\", \"latest\"],\n  \"id\": 1\n}"),
    ("javascript", "const provider = new ethers.JsonRpcProvider(process.env.RPC_URL);\nconst block = await provider.getBlockNumber();\n"
                   "const fee = await provider.getFeeData();\nconsole.log(block, ethers.formatUnits(fee.gasPrice, 'gwei'));"),
]


def slugify(text: str, max_length: int = 80) -> str:
    """Lowercase ASCII words joined by hyphens, cut at a word boundary (as the generator's slugs are)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length + 1].rsplit("-", 1)[0] if "-" in slug[:max_length + 1] else slug[:max_length]
    return slug


def tag_pool() -> list[str]:
    """About 300 distinct tags, most popular first (the order gives the Zipf ranks)."""
    coins = [f"{name} ({sym})" if name.upper() != sym else name for name, sym in COINS]
    topics = [t.strip() for t in TOPICS.split(";") if t.strip()]
    orgs = [o.strip() for o in ORGS.split(";") if o.strip()]
    # interleave so the head of the distribution mixes coins, topics and organisations, as on real sites
    pool, seen = [], set()
    for i in range(max(len(coins), len(topics), len(orgs))):
        for group in (coins, topics, orgs):
            if i < len(group) and slugify(group[i]) not in seen:
                seen.add(slugify(group[i]))
                pool.append(group[i])
    return pool


class Writer:
    """Text for one corpus: every random choice comes from one seeded Random."""

    def __init__(self, seed: int, image_paths: list[str], heavy: bool = False):
        self.r = random.Random(seed)
        self.heavy = heavy
        self.tags = tag_pool()
        self.tag_cum = list(accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(len(self.tags))))
        self.coins = COINS
        self.orgs = [o.strip() for o in ORGS.split(";") if o.strip()]
        self.topics = [t.strip() for t in TOPICS.split(";") if t.strip()]
        self.people = [f"{f} {l}" for f in FIRST for l in LAST]
        self.authors = self.people[::7][:40]
        self.images = image_paths

    # -- small pieces ------------------------------------------------------------------------
    def pick_tags(self, k: int) -> list[str]:
        out: list[str] = []
        total = self.tag_cum[-1]
        while len(out) < k:
            t = self.tags[bisect(self.tag_cum, self.r.random() * total)]
            if t not in out:
                out.append(t)
        return out

    def fill(self, pattern: str, links: list[str], plain: bool = False) -> str:
        r = self.r
        coin = r.choice(self.coins[:20] if r.random() < 0.8 else self.coins)
        values = {
            "org": r.choice(self.orgs), "Org": r.choice(self.orgs), "topic": r.choice(self.topics).lower(),
            "topic2": r.choice(self.topics).lower(), "adj": r.choice(ADJ), "word": r.choice(WORDS),
            "verb": r.choice(VERB), "coin": coin[0], "Coin": coin[0], "Person": r.choice(self.people),
            "role": r.choice(ROLES), "pct": f"{r.uniform(0.3, 48):.1f}%", "period": r.choice(["week", "month", "quarter", "year"]),
            "periods": r.choice(["weeks", "months", "quarters"]), "num": f"{r.randint(1, 950):,}",
            "units": r.choice(["BTC", "ETH", "million USDT", "wallets", "transactions"]),
            "money": f"${r.uniform(1, 999):.1f} {r.choice(['million', 'billion'])}", "small": f"${r.uniform(0.01, 9):.2f}",
            "trend": r.choice(["risen", "fallen", "stabilised", "doubled", "slowed"]), "month": r.choice(MONTHS),
        }
        values["clause"] = r.choice(CLAUSES).format(**values)
        text = pattern.format(**values)
        roll = 1.0 if plain else r.random()
        if roll < (0.30 if self.heavy else 0.10):  # a link, internal (another article) or external
            anchor = r.choice(LINK_TEXT)
            href = r.choice(links) if links and r.random() < 0.5 else r.choice(EXTERNAL)
            text = text[:-1] + f", as detailed in this [{anchor}]({href})."
        elif roll < 0.16:
            w = r.choice(WORDS)
            text = text.replace(f" {w} ", f" **{w}** ", 1) if f" {w} " in text else text
        elif roll < 0.20:
            text = text[:-1] + f" (*{r.choice(ADJ)}*)."
        elif roll < 0.22:
            text = text[:-1] + f", using the `{r.choice(['eth_call', 'getblocktemplate', 'permit2', 'blobGasPrice'])}` call."
        return text

    def paragraph(self, n: int, links: list[str]) -> str:
        return " ".join(self.fill(self.r.choice(SENTENCES), links) for _ in range(n))

    def title(self) -> str:
        r = self.r
        pattern = r.choice(TITLE_PATTERNS)
        coin = r.choice(self.coins[:25])[0]
        org, org2 = r.sample(self.orgs, 2)
        topic, topic2 = r.sample(self.topics, 2)
        return pattern.format(Coin=coin, Move=r.choice(MOVES), Pct=f"{r.randint(2, 30)}%", Topic=topic, Topic2=topic2,
                              Drives=r.choice(DRIVES), Org=org, Org2=org2, Acts=r.choice(ACTS), Event=r.choice(EVENTS),
                              Trend=r.choice(TRENDS), Country=r.choice(COUNTRIES))

    # -- one body ----------------------------------------------------------------------------
    def body(self, target_words: int, links: list[str]) -> str:
        r = self.r
        parts = [self.paragraph(r.randint(2, 4), links)]
        if r.random() < 0.6:
            parts.append("**Key takeaways**")
            parts.append("\n".join("- " + self.fill(r.choice(SENTENCES), links) for _ in range(r.randint(3, 5))))
        extras = []
        if r.random() < 0.35:
            extras.append("table")
        if r.random() < 0.15:
            extras.append("code")
        if r.random() < 0.30:
            extras.append("quote")
        used = set()
        words = sum(len(p.split()) for p in parts)
        while words < target_words:
            heading = r.choice(HEADINGS)
            if heading in used:
                heading = f"{heading}: {r.choice(self.topics)}"
            used.add(heading)
            heading = heading.format(topic=r.choice(self.topics), coin=r.choice(self.coins[:20])[0], org=r.choice(self.orgs))
            section = [f"## {heading}"]
            for _ in range(r.randint(1, 3)):
                section.append(self.paragraph(r.randint(3, 6), links))
            if r.random() < 0.35:
                section.append("\n".join("- " + self.fill(r.choice(SENTENCES), links) for _ in range(r.randint(2, 5))))
            if extras and r.random() < 0.5:
                section.append(self.extra(extras.pop()))
            block = "\n\n".join(section)
            words += len(block.split())
            parts.append(block)
        if words > 1200 and words - len(parts[-1].split()) >= 500:
            words -= len(parts.pop().split())
        for leftover in extras:
            parts.append(self.extra(leftover))
        return "\n\n".join(parts) + "\n"

    def heavy_body(self, target_words: int, links: list[str]) -> str:
        """A body as real news copy has it: longer, with subsections, tables, lists, notes and images."""
        r = self.r
        parts = [self.paragraph(r.randint(2, 4), links)]
        if r.random() < 0.7:
            parts += ["**Key takeaways**", self.bullets(r.randint(3, 6), links)]
        notes: list[str] = []
        words = sum(len(p.split()) for p in parts)
        while words < target_words:
            heading = r.choice(HEADINGS).format(topic=r.choice(self.topics), coin=r.choice(self.coins[:20])[0],
                                                org=r.choice(self.orgs))
            section = [f"## {heading}", self.paragraph(r.randint(3, 6), links)]
            for _ in range(r.choice((0, 1, 1, 2))):
                section += [f"### {r.choice(self.topics)} and {r.choice(self.coins[:30])[0]}",
                            self.paragraph(r.randint(2, 5), links)]
            roll = r.random()
            if roll < 0.25:
                section.append(self.table(r.randint(6, 12)))
            elif roll < 0.40:
                section.append(self.bullets(r.randint(8, 20), links, nested=True))
            elif roll < 0.50:
                lang, code = r.choice(CODE)
                section.append(f"```{lang}\n{code}\n```")
            elif roll < 0.60:
                section.append("> " + self.paragraph(r.randint(1, 3), []))
            elif roll < 0.70 and self.images:
                section.append(f"![Chart of {r.choice(self.coins[:20])[0]} {r.choice(self.topics).lower()}]"
                               f"({r.choice(self.images)})")
            if r.random() < 0.2:
                notes.append(self.fill(r.choice(SENTENCES), [], True))
                section[-1] += f"[^{len(notes)}]"
            block = "\n\n".join(section)
            words += len(block.split())
            parts.append(block)
        parts += [f"[^{i}]: {note}" for i, note in enumerate(notes, 1)]
        return "\n\n".join(parts) + "\n"

    def bullets(self, n: int, links: list[str], nested: bool = False) -> str:
        lines = []
        for _ in range(n):
            lines.append("- " + self.fill(self.r.choice(SENTENCES), links))
            if nested and self.r.random() < 0.2:
                lines += ["    - " + self.fill(self.r.choice(SENTENCES), links) for _ in range(self.r.randint(1, 3))]
        return "\n".join(lines)

    def table(self, n: int) -> str:
        r = self.r
        rows = ["| Asset | Issuer | Price (USD) | 24h change | Volume | Market cap |",
                "| --- | --- | ---: | ---: | ---: | ---: |"]
        for name, sym in r.sample(self.coins, min(n, len(self.coins))):
            rows.append(f"| {name} ({sym}) | {r.choice(self.orgs)} | {r.uniform(0.05, 90000):,.2f} | "
                        f"{r.uniform(-9, 9):+.2f}% | ${r.uniform(10, 9000):,.0f}M | ${r.uniform(0.1, 1300):,.1f}B |")
        return "\n".join(rows)

    def extra(self, kind: str) -> str:
        r = self.r
        if kind == "table":
            rows = ["| Asset | Price (USD) | 24h change | Volume |", "| --- | ---: | ---: | ---: |"]
            for name, sym in r.sample(self.coins[:20], r.randint(3, 6)):
                rows.append(f"| {name} ({sym}) | {r.uniform(0.05, 90000):,.2f} | {r.uniform(-9, 9):+.2f}% | "
                            f"${r.uniform(10, 9000):,.0f}M |")
            return "\n".join(rows)
        if kind == "code":
            lang, code = r.choice(CODE)
            return f"```{lang}\n{code}\n```"
        return "> " + self.paragraph(r.randint(1, 2), [])


def yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def front_matter(a: dict) -> str:
    lines = ["---", f"title: {yaml_str(a['title'])}", f"date: {a['date']}", f"category: {a['category']}",
             "tags: [" + ", ".join(a["tags"]) + "]"]
    if a.get("coins"):
        lines.append("coins: [" + ", ".join(a["coins"]) + "]")
    lines.append(f"summary: {yaml_str(a['summary'])}")
    if a.get("image"):
        lines += [f"image: {a['image']}", f"image_alt: {yaml_str(a['image_alt'])}"]
    if a.get("reading_time"):
        lines.append(f"reading_time: {a['reading_time']}")
    if a.get("author"):
        lines.append(f"author: {a['author']}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


SERIES = ("Market wrap", "This week in crypto", "Daily briefing", "Funding round-up", "On-chain weekly")


def make_articles(n: int, seed: int, image_paths: list[str], heavy: bool = False) -> tuple[list[dict], Writer]:
    """Metadata and bodies of n articles, oldest first."""
    w = Writer(seed, image_paths, heavy)
    r = w.r
    start = END - timedelta(days=SPAN_DAYS)
    stamps = sorted(r.uniform(0, SPAN_DAYS * 86400 - 3600) for _ in range(n))
    cat_weights = list(accumulate([1.3, 0.8, 1.6, 0.8, 1.0, 1.3, 1.5, 0.5, 1.2]))
    slugs: set[str] = set()
    series_count: dict[tuple, int] = {}
    articles, links = [], []
    for i, s in enumerate(stamps):
        when = (start + timedelta(seconds=int(s))).replace(microsecond=0)
        tz = r.choice(TIMEZONES)
        local = when.astimezone(tz)
        month = (local.year, local.month)  # URLs take the year and month of the date as written
        if heavy and r.random() < 0.03:  # a recurring headline: the generator numbers them within a month
            title = r.choice(SERIES)
            seen = series_count[(title, month)] = series_count.get((title, month), 0) + 1
            slug = slugify(title) + (f"-{seen}" if seen > 1 else "")
            file_slug = f"{slug}-{local.month:02d}"  # one file name per month in the year folder
        else:
            for _ in range(50):  # other titles (so slugs derived from them) are unique, as a newsroom's are
                title = w.title()
                slug = slugify(title)
                if slug not in slugs:
                    break
            else:
                title = f"{title} ({i})"
                slug = slugify(title)
            slugs.add(slug)
            file_slug = slug
        category = CATEGORIES[bisect(cat_weights, r.random() * cat_weights[-1])]
        a = {
            "title": title, "slug": slug, "category": category,
            "date": local.isoformat().replace("+00:00", "Z"), "utc": when,
            "tags": w.pick_tags(r.choice((3, 4, 4, 5, 5, 6, 7))),
            "summary": w.fill(r.choice(SENTENCES), [], True) + " " + w.fill(r.choice(SENTENCES), [], True),
            "rel": f"content/articles/{local.year:04d}/{file_slug}.md",
            "url": f"/{local.year:04d}/{local.month:02d}/{slug}/",
        }
        if r.random() < 0.3:
            a["coins"] = sorted({sym for _, sym in r.sample(COINS[:10], r.randint(1, 3))})
        if image_paths and r.random() < 0.4:
            a["image"] = r.choice(image_paths)
            a["image_alt"] = f"Illustration for {title}"
        if r.random() < 0.25:
            a["reading_time"] = r.randint(3, 7)
        if r.random() < 0.6:
            a["author"] = r.choice(w.authors)
        # bodies link to articles published before them (as newsrooms do)
        if heavy:  # 600-2,500 words, one in thirty a long read
            target = r.randint(5000, 9000) if r.random() < 1 / 30 else int(r.triangular(550, 2300, 650))
            a["body"] = w.heavy_body(target, links[-200:])
        else:
            target = int(r.triangular(500, 1080, 580))  # sections overshoot it by ~80 words: 500-1,200, mean ~800
            a["body"] = w.body(target, links[-200:])
        articles.append(a)
        links.append(a["url"])
    return articles, w


def new_article(index: int, seed: int = 12345) -> dict:
    """The article a 'publish build' adds: the newest of the site, END + 5 min per index (before BUILD_EPOCH)."""
    w = Writer(seed + index, [])
    when = END + timedelta(minutes=5 * (index + 1))  # END + minutes < the builds' SOURCE_DATE_EPOCH (END + 6 h)
    title = f"Breaking: {w.title()} (update {index + 1})"
    slug = slugify(title)
    a = {"title": title, "slug": slug, "category": "Markets", "date": when.isoformat().replace("+00:00", "Z"),
         "utc": when, "tags": ["Bitcoin (BTC)", "Market Sentiment", "Spot Bitcoin ETFs"],
         "summary": w.fill(SENTENCES[0], [], True) + " " + w.fill(SENTENCES[1], [], True),
         "rel": f"content/articles/{when.year:04d}/{slug}.md", "url": f"/{when.year:04d}/{when.month:02d}/{slug}/"}
    a["body"] = w.body(800, [])
    return a


def article_text(a: dict) -> str:
    return front_matter(a) + a["body"]


def copy_site_files(out: Path, root: Path = REPO) -> None:
    """site.toml, layouts/, assets/ and content/pages/ of the example site in root (the repository)."""
    shutil.copy2(root / "site.toml", out / "site.toml")
    for name in ("layouts", "assets"):
        if (out / name).exists():
            shutil.rmtree(out / name)
        shutil.copytree(root / name, out / name, ignore=shutil.ignore_patterns("__pycache__"))
    pages = root / "content" / "pages"
    if pages.is_dir():
        shutil.copytree(pages, out / "content" / "pages", dirs_exist_ok=True)


TICKER = {"as_of": "2026-06-30T17:00:00Z", "source": "snapshot", "coins": {
    "BTC": {"name": "Bitcoin", "price_usd": 91234.12, "change_24h": -1.23},
    "ETH": {"name": "Ethereum", "price_usd": 3087.45, "change_24h": -1.87},
    "USDT": {"name": "Tether", "price_usd": 1.0002, "change_24h": 0.01},
    "BNB": {"name": "BNB", "price_usd": 884.3, "change_24h": -0.42},
    "XRP": {"name": "XRP", "price_usd": 2.214, "change_24h": 1.94},
    "SOL": {"name": "Solana", "price_usd": 138.76, "change_24h": 0.18},
    "USDC": {"name": "USD Coin", "price_usd": 0.9999, "change_24h": -0.01},
    "STETH": {"name": "Lido Staked Ether", "price_usd": 3083.9, "change_24h": -1.91},
    "DOGE": {"name": "Dogecoin", "price_usd": 0.1521, "change_24h": -2.47},
    "TRX": {"name": "TRON", "price_usd": 0.2812, "change_24h": 0.33}}}


def generate(n: int, out: Path, seed: int, quiet: bool = False, root: Path = REPO, profile: str = "light") -> dict:
    """Write the corpus; site.toml, layouts/, assets/ and content/pages/ come from root."""
    started = time.perf_counter()
    out = out.resolve()
    articles_dir = out / "content" / "articles"
    if articles_dir.exists():
        shutil.rmtree(articles_dir)
    out.mkdir(parents=True, exist_ok=True)
    copy_site_files(out, root)
    images = sorted(f"/assets/img/{p.name}" for p in (out / "assets" / "img").glob("*.jpg")
                    if p.name != "default-card.jpg")
    articles, _ = make_articles(n, seed, images, heavy=profile == "heavy")
    made_dirs: set[Path] = set()
    for a in articles:
        path = out / a["rel"]
        if path.parent not in made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(path.parent)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(article_text(a))
    data = out / "content" / "_data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "ticker.json").write_text(json.dumps(TICKER, indent=2) + "\n", encoding="utf-8")
    # an analytics export: the last ~year's articles, a few with many views (long tail)
    r = random.Random(seed * 7919 + 1)
    recent = [a for a in articles if (END - a["utc"]).days < 365]
    rows = ["path,views"] + [f"{a['url']},{int(50_000 / (i + 1) ** 0.8 * r.uniform(0.5, 1.5)) + 1}"
                             for i, a in enumerate(r.sample(recent, min(len(recent), 1500)))]
    (data / "pageviews.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    cats: dict[str, int] = {}
    tags: dict[str, int] = {}
    words = 0
    for a in articles:
        cats[a["category"]] = cats.get(a["category"], 0) + 1
        for t in a["tags"]:
            tags[t] = tags.get(t, 0) + 1
        words += len(a["body"].split())
    meta = {"n": n, "seed": seed, "profile": profile, "end": END.isoformat(), "categories": cats, "tags": tags,
            "words_total": words, "words_mean": round(words / max(n, 1)),
            "articles": [{"rel": a["rel"], "slug": a["slug"], "url": a["url"], "category": a["category"]}
                         for a in articles]}
    (out / "corpus.json").write_text(json.dumps(meta), encoding="utf-8")
    if not quiet:
        print(f"wrote {n:,} articles to {out} in {time.perf_counter() - started:.1f} s "
              f"({len(tags)} tags, {len(cats)} categories, {meta['words_mean']} words per body on average)",
              file=sys.stderr)
    return meta


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=1000, help="number of articles (default 1000)")
    p.add_argument("--out", type=Path, required=True, help="the site folder to write (content/articles is replaced)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--profile", choices=("light", "heavy"), default="light",
                   help="light: the original 500-1,200-word bodies; heavy: real-sized news copy (see above)")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    generate(args.n, args.out, args.seed, args.quiet, profile=args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
