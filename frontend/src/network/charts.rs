//! The two drawings of the network: the trust rings and the know × trust
//! map, in SVG.
//!
//! Positions are computed once, when the network loads, from the whole
//! network, so a dot never moves. Each drawing is written once as SVG
//! markup (text escaped): the browser parses 5,000 dots in one go, and the
//! code stays a fraction of what typed views per element would take.
//! Filtering then only hides and shows dots (one effect, touching the dots
//! that changed). Clicks, hovers and focus are handled once, on the
//! drawing.

use std::f32::consts::{PI, TAU};
use std::fmt::Write;
use std::sync::Arc;

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use rapport_core::network::NetworkEntry;
use wasm_bindgen::JsCast;

use super::{order_by, Net};
use crate::components::{status_label, FamiliarityBar, Stars};

/// Rings: a 1000 × 1000 drawing around (500, 500).
const CENTRE: f32 = 500.0;
const ME_R: f32 = 44.0;
const INNER: f32 = 58.0;
const OUTER: f32 = 494.0;
/// The empty wedge at the top of the rings where their labels go (radians).
const LABEL_GAP: f32 = 0.26;

/// Map: 1000 × 620, familiarity left to right, comfort bottom to top.
const MAP_H: f32 = 620.0;
const LEFT: f32 = 118.0;
const RIGHT: f32 = 976.0;
const TOP: f32 = 18.0;
const BAND_H: f32 = 84.0;
const UNRATED_TOP: f32 = TOP + 5.0 * BAND_H + 26.0;
const UNRATED_H: f32 = 70.0;

/// Ring 0 (innermost) is comfort 5 … ring 4 is comfort 1, ring 5 unrated.
const RINGS: [(&str, &str); 6] = [
    ("★5", "5 · Would vouch personally"),
    ("★4", "4 · Would refer with confidence"),
    ("★3", "3 · Would introduce with context"),
    ("★2", "2 · Could pass along their name"),
    ("★1", "1 · Wouldn't refer yet"),
    ("Unrated", "Not rated yet"),
];

const FAMILIARITY: [(&str, &str); 5] = [
    ("f0", "0–19"),
    ("f1", "20–39"),
    ("f2", "40–59"),
    ("f3", "60–79"),
    ("f4", "80–100"),
];

fn ring_of(comfort: Option<u8>) -> usize {
    match comfort {
        Some(c @ 1..=5) => usize::from(5 - c),
        _ => 5,
    }
}

/// Where every dot goes, for the whole network.
pub struct Layout {
    /// Ring `b` spans radii `bounds[b]..bounds[b + 1]`.
    bounds: [f32; 7],
    ring_dot: f32,
    ring: Vec<(f32, f32)>,
    map_dot: f32,
    map: Vec<(f32, f32)>,
}

impl Layout {
    pub fn new(entries: &[NetworkEntry]) -> Layout {
        let hashes: Vec<u64> = entries
            .iter()
            .map(|e| {
                let id = e.id.as_u128();
                mix(id as u64 ^ mix((id >> 64) as u64))
            })
            .collect();
        let mut members: [Vec<u32>; 6] = Default::default();
        for (i, e) in entries.iter().enumerate() {
            members[ring_of(e.comfort)].push(i as u32);
        }

        // Each ring gets an area in proportion to its people (with a floor,
        // so that an empty ring still shows): the same density everywhere.
        let total = entries.len().max(1) as f32;
        let floor = (total * 0.06).max(1.0);
        let weights = members.each_ref().map(|m| (m.len() as f32).max(floor));
        let weight_sum: f32 = weights.iter().sum();
        let area = PI * (OUTER * OUTER - INNER * INNER);
        let mut bounds = [INNER; 7];
        for b in 0..6 {
            bounds[b + 1] = (bounds[b] * bounds[b] + area * weights[b] / weight_sum / PI).sqrt();
        }
        let ring_dot = (0.4 * (area / weight_sum).sqrt()).clamp(2.0, 11.0);

        // Within a ring, a sunflower spiral in hash order: evenly spread,
        // no pile-ups, and the same place for the same person every time.
        let mut ring = vec![(CENTRE, CENTRE); entries.len()];
        for (b, list) in members.iter_mut().enumerate() {
            order_by(list, &hashes);
            let n = list.len() as f32;
            let pad = (ring_dot * 1.3).min((bounds[b + 1] - bounds[b]) / 4.0);
            let (r0, r1) = (bounds[b] + pad, bounds[b + 1] - pad);
            for (k, &i) in list.iter().enumerate() {
                let t = (k as f32 + 0.5) / n;
                let r = (r0 * r0 + t * (r1 * r1 - r0 * r0)).sqrt();
                let turn = (k as f32 * 0.381_966 + b as f32 * 0.17).fract();
                let angle = f64::from(-PI / 2.0 + LABEL_GAP / 2.0 + turn * (TAU - LABEL_GAP));
                // The browser's sine and cosine: smaller than Rust's.
                let (cos, sin) = (js_sys::Math::cos(angle), js_sys::Math::sin(angle));
                ring[i as usize] = (CENTRE + r * cos as f32, CENTRE + r * sin as f32);
            }
        }

        // The map: familiarity across, comfort band down, jittered within.
        let map = entries
            .iter()
            .zip(&hashes)
            .map(|(e, &h)| {
                let across = (f32::from(e.familiarity) + (unit(h) - 0.5) * 0.95).clamp(0.0, 100.0);
                let (top, height) = map_band(e.comfort);
                (x_at(across), top + (0.1 + 0.8 * unit(mix(h))) * height)
            })
            .collect();
        let plot = (RIGHT - LEFT) * (5.0 * BAND_H + UNRATED_H);
        let map_dot = (0.36 * (plot / total).sqrt()).clamp(2.4, 8.0);

        Layout {
            bounds,
            ring_dot,
            ring,
            map_dot,
            map,
        }
    }
}

/// SplitMix64's finaliser: a well-spread 64-bit hash.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A hash as a number in `0..1`.
fn unit(h: u64) -> f32 {
    (h >> 40) as f32 / (1u64 << 24) as f32
}

fn x_at(familiarity: f32) -> f32 {
    LEFT + familiarity / 100.0 * (RIGHT - LEFT)
}

/// The top and height of a comfort's band on the map.
fn map_band(comfort: Option<u8>) -> (f32, f32) {
    match comfort {
        Some(c @ 1..=5) => (TOP + f32::from(5 - c) * BAND_H, BAND_H),
        _ => (UNRATED_TOP, UNRATED_H),
    }
}

/// SVG markup being written.
struct Markup(String);

impl Markup {
    /// Raw markup (constants only).
    fn raw(&mut self, markup: &str) -> &mut Self {
        self.0.push_str(markup);
        self
    }

    /// A coordinate, to a tenth (integer formatting only: Rust's float
    /// formatting would add kilobytes to the app).
    fn num(&mut self, v: f32) -> &mut Self {
        let tenths = (v.max(0.0) * 10.0 + 0.5) as u32;
        let _ = write!(self.0, "{}", tenths / 10);
        let digit = (tenths % 10) as u8;
        if digit != 0 {
            self.0.push('.');
            self.0.push(char::from(b'0' + digit));
        }
        self
    }

    /// Text, escaped for element content and attribute values.
    fn text(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            match c {
                '&' => self.0.push_str("&amp;"),
                '<' => self.0.push_str("&lt;"),
                '>' => self.0.push_str("&gt;"),
                '"' => self.0.push_str("&quot;"),
                c => self.0.push(c),
            }
        }
        self
    }

    /// `<tag class="…" a="…" b="…" …>` with numeric attributes.
    fn open(&mut self, tag: &str, class: &str, attrs: &[(&str, f32)]) -> &mut Self {
        self.raw("<").raw(tag).raw(" class=\"").raw(class).raw("\"");
        for (name, value) in attrs {
            self.raw(" ").raw(name).raw("=\"").num(*value).raw("\"");
        }
        self.raw(">")
    }

    /// A text label at (x, y).
    fn label(&mut self, class: &str, x: f32, y: f32, text: &str) -> &mut Self {
        self.open("text", class, &[("x", x), ("y", y)])
            .text(text)
            .raw("</text>")
    }

    /// One dot per person in name order, each a link to the contact; the
    /// ones the filters hide carry the class `off`.
    fn dots(&mut self, net: &Net, place: &[(f32, f32)], radius: f32, shown: &[bool]) {
        self.raw("<g class=\"dots\">");
        for &i in &net.by_name {
            let e = net.entry(i);
            let (x, y) = place[i as usize];
            let comfort = match e.comfort {
                Some(c) => format!("comfort {c} of 5"),
                None => "comfort not rated".to_owned(),
            };
            let _ = write!(self.0, "<a href=\"/contacts/{}\" data-i=\"{i}\"", e.id);
            if !shown[i as usize] {
                self.raw(" class=\"off\"");
            }
            self.raw("><title>").text(&e.name);
            if let Some(company) = &e.company {
                self.raw(" (").text(company).raw(")");
            }
            let _ = write!(
                self.0,
                ": {comfort}, familiarity {} of 100</title>",
                e.familiarity
            );
            let class = FAMILIARITY[usize::from(e.familiarity.min(99) / 20)].0;
            self.open("circle", class, &[("cx", x), ("cy", y), ("r", radius)])
                .raw("</circle></a>");
        }
        self.raw("</g>");
    }
}

/// Who the filters let through, by entry.
fn shown_set(net: &Net, found: &[u32]) -> Vec<bool> {
    let mut shown = vec![false; net.entries.len()];
    for &i in found {
        shown[i as usize] = true;
    }
    shown
}

/// The drawing: `markup` inside an `<svg>`, whose dots follow the filters.
fn drawing(
    id: &'static str,
    class: &'static str,
    view_box: &'static str,
    label: &'static str,
    markup: String,
    net: StoredValue<Arc<Net>>,
    found: Memo<Vec<u32>>,
) -> impl IntoView {
    let svg = NodeRef::<leptos::svg::Svg>::new();
    // Shows and hides the dots whose filter state changed. The dots are in
    // name order (as `by_name`); they are looked up once.
    let mut initial = Some(net.with_value(|n| found.with_untracked(|f| shown_set(n, f))));
    Effect::new(move |state: Option<(Vec<web_sys::Element>, Vec<bool>)>| {
        let (mut dots, before) = state.unwrap_or_default();
        let before = initial.take().unwrap_or(before);
        if dots.is_empty() {
            let layer = svg
                .get()
                .and_then(|s| s.query_selector(".dots").ok().flatten());
            let mut dot = layer.and_then(|layer| layer.first_element_child());
            while let Some(element) = dot {
                dot = element.next_element_sibling();
                dots.push(element);
            }
            if dots.is_empty() {
                return (dots, before);
            }
        }
        let now = net.with_value(|n| found.with(|found| shown_set(n, found)));
        net.with_value(|n| {
            for (element, &i) in dots.iter().zip(&n.by_name) {
                let i = i as usize;
                if before.get(i) != now.get(i) {
                    let _ = if now[i] {
                        element.remove_attribute("class")
                    } else {
                        element.set_attribute("class", "off")
                    };
                }
            }
        });
        (dots, now)
    });
    view! {
        <svg
            id=id
            class=class
            viewBox=view_box
            role="group"
            aria-label=label
            node_ref=svg
            inner_html=markup
        ></svg>
    }
}

/// The trust rings: me in the centre, one ring per referral comfort.
pub fn rings(
    net: StoredValue<Arc<Net>>,
    found: Memo<Vec<u32>>,
    hovered: RwSignal<Option<u32>>,
) -> impl IntoView {
    let markup = net.with_value(|n| {
        let shown = found.with_untracked(|f| shown_set(n, f));
        let bounds = n.layout.bounds;
        let mut m = Markup(String::with_capacity(200 * n.entries.len() + 2000));
        m.raw("<g aria-hidden=\"true\">");
        for b in (0..6).rev() {
            let class = format!("band b{b}");
            m.open(
                "circle",
                &class,
                &[("cx", CENTRE), ("cy", CENTRE), ("r", bounds[b + 1])],
            )
            .raw("</circle>");
        }
        m.raw("</g>");
        m.dots(n, &n.layout.ring, n.layout.ring_dot, &shown);
        m.raw("<g aria-hidden=\"true\">");
        for (b, (short, _)) in RINGS.iter().enumerate() {
            let middle = (bounds[b] + bounds[b + 1]) / 2.0;
            m.label("ring-label", CENTRE, CENTRE - middle, short);
        }
        m.open(
            "circle",
            "me",
            &[("cx", CENTRE), ("cy", CENTRE), ("r", ME_R)],
        )
        .raw("</circle>")
        .label("me-label", CENTRE, CENTRE, "Me")
        .raw("</g>");
        m.0
    });
    let counts = move || {
        found.with(|list| {
            net.with_value(|n| {
                let mut counts = [0usize; 6];
                for &i in list {
                    counts[ring_of(n.entry(i).comfort)] += 1;
                }
                counts
            })
        })
    };
    let legend = view! {
        <section class="net-legend" aria-labelledby="rings-legend">
            <h2 id="rings-legend">"Rings: referral comfort"</h2>
            <ol class="ring-list">
                {RINGS
                    .iter()
                    .enumerate()
                    .map(|(b, (_, words))| {
                        view! {
                            <li>
                                <span class=format!("ring-chip b{b}") aria-hidden="true"></span>
                                <span>{*words}</span>
                                <span class="net-num">{move || super::thousands(counts()[b])}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    };
    frame(
        net,
        hovered,
        drawing(
            "trust-rings",
            "net-svg rings",
            "0 0 1000 1000",
            "Trust rings: me in the centre, rings by referral comfort from 5 inside to unrated outside; each dot is a link to a person",
            markup,
            net,
            found,
        ),
        legend,
    )
}

/// The know × trust map: familiarity across, comfort up.
pub fn map(
    net: StoredValue<Arc<Net>>,
    found: Memo<Vec<u32>>,
    hovered: RwSignal<Option<u32>>,
) -> impl IntoView {
    let markup = net.with_value(|n| {
        let shown = found.with_untracked(|f| shown_set(n, f));
        let (mid, split, rated) = (x_at(50.0), TOP + 3.0 * BAND_H, TOP + 5.0 * BAND_H);
        let (width, half) = (RIGHT - LEFT, (RIGHT - LEFT) / 2.0);
        let mut m = Markup(String::with_capacity(200 * n.entries.len() + 4000));
        m.raw("<g aria-hidden=\"true\">");
        for (class, x, y, w, h) in [
            ("q q-check", LEFT, TOP, half, split - TOP),
            ("q q-trusted", mid, TOP, half, split - TOP),
            ("q q-new", LEFT, split, half, rated - split),
            ("q q-know", mid, split, half, rated - split),
            ("q q-unrated", LEFT, UNRATED_TOP, width, UNRATED_H),
        ] {
            m.open(
                "rect",
                class,
                &[("x", x), ("y", y), ("width", w), ("height", h)],
            )
            .raw("</rect>");
        }
        for c in 1..=5u8 {
            let (top, height) = map_band(Some(c));
            m.open(
                "line",
                "grid",
                &[("x1", LEFT), ("x2", RIGHT), ("y1", top), ("y2", top)],
            )
            .raw("</line>")
            .label(
                "axis-label end",
                LEFT - 12.0,
                top + height / 2.0,
                &format!("{c} ★"),
            );
        }
        m.label(
            "axis-label end",
            LEFT - 12.0,
            UNRATED_TOP + UNRATED_H / 2.0,
            "Unrated",
        );
        for f in [0u8, 25, 50, 75, 100] {
            let x = x_at(f32::from(f));
            let bottom = UNRATED_TOP + UNRATED_H;
            m.open(
                "line",
                "grid",
                &[("x1", x), ("x2", x), ("y1", TOP), ("y2", bottom)],
            )
            .raw("</line>")
            .label("axis-label middle", x, bottom + 22.0, &f.to_string());
        }
        m.label(
            "axis-title middle",
            (LEFT + RIGHT) / 2.0,
            MAP_H - 6.0,
            "Familiarity: how well I know them →",
        );
        m.raw("<text class=\"axis-title middle\" transform=\"translate(22 ")
            .num((TOP + rated) / 2.0)
            .raw(") rotate(-90)\">Referral comfort →</text></g>");
        m.dots(n, &n.layout.map, n.layout.map_dot, &shown);
        m.raw("<g aria-hidden=\"true\">")
            .label(
                "quadrant-label",
                LEFT + 12.0,
                TOP + 26.0,
                "Trust without knowing — check yourself",
            )
            .label(
                "quadrant-label end",
                RIGHT - 12.0,
                TOP + 26.0,
                "Know well, would refer",
            )
            .label(
                "quadrant-label",
                LEFT + 12.0,
                rated - 14.0,
                "Getting to know",
            )
            .label(
                "quadrant-label end",
                RIGHT - 12.0,
                rated - 14.0,
                "Know well, not (yet) comfortable",
            )
            .raw("</g>");
        m.0
    });
    let legend = view! {
        <section class="net-legend" aria-labelledby="map-legend">
            <h2 id="map-legend">"Reading the map"</h2>
            <p>
                "Across: how well you know them, from your interactions. Up: whether you would refer them."
            </p>
            <p>"Top left is worth a second look: you would vouch for people you hardly know."</p>
        </section>
    };
    frame(
        net,
        hovered,
        drawing(
            "know-trust-map",
            "net-svg map",
            "0 0 1000 620",
            "Know × trust map: familiarity from 0 on the left to 100 on the right, referral comfort from 1 at the bottom to 5 at the top, unrated people in a strip below; each dot is a link to a person",
            markup,
            net,
            found,
        ),
        legend,
    )
}

/// The dot (its index and address) an event happened on.
fn dot_of(event: &web_sys::Event) -> Option<(u32, String)> {
    let element = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    let link = element.closest("a[data-i]").ok()??;
    let index = link.get_attribute("data-i")?.parse().ok()?;
    Some((index, link.get_attribute("href")?))
}

/// A drawing with its legends and the card of the person pointed at.
fn frame(
    net: StoredValue<Arc<Net>>,
    hovered: RwSignal<Option<u32>>,
    drawing: impl IntoView + 'static,
    legend: impl IntoView + 'static,
) -> impl IntoView {
    let navigate = use_navigate();
    // Leptos's router follows only HTML links; the SVG ones go through it
    // here (a plain click; with a modifier the browser opens a new tab).
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if ev.button() != 0 || ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
            return;
        }
        if let Some((_, href)) = dot_of(&ev) {
            ev.prevent_default();
            navigate(&href, Default::default());
        }
    };
    let point = move |ev: web_sys::Event| {
        if let Some((i, _)) = dot_of(&ev) {
            hovered.set(Some(i));
        }
    };
    view! {
        <div class="net-chart">
            <div
                class="net-drawing"
                on:click=on_click
                on:mouseover=move |ev| point(ev.into())
                on:focusin=move |ev| point(ev.into())
            >
                {drawing}
            </div>
            <div class="net-side">
                {card(net, hovered)}
                {legend}
                <section class="net-legend" aria-labelledby="familiarity-legend">
                    <h2 id="familiarity-legend">"Dots: familiarity"</h2>
                    <ul class="swatches">
                        {FAMILIARITY
                            .map(|(class, range)| {
                                view! {
                                    <li>
                                        <span class=format!("swatch {class}") aria-hidden="true"></span>
                                        {range}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <p class="hint">
                        "Each dot is a link: point at it or reach it with Tab to see who it is."
                    </p>
                </section>
            </div>
        </div>
    }
}

/// The person last pointed at or focused.
fn card(net: StoredValue<Arc<Net>>, hovered: RwSignal<Option<u32>>) -> impl IntoView {
    view! {
        <section class="net-card" id="network-card" aria-label="Person pointed at">
            {move || match hovered.get() {
                Some(i) => {
                    Either::Left(net.with_value(|n| {
                        let e = n.entry(i);
                        view! {
                            <p class="net-card-name">
                                <a href=format!("/contacts/{}", e.id)>{e.name.clone()}</a>
                            </p>
                            <p class="muted">{e.company.clone()}</p>
                            <div class="net-card-facts">
                                <Stars comfort=e.comfort />
                                <FamiliarityBar score=e.familiarity />
                                <span class="status">{status_label(e.connection_status)}</span>
                            </div>
                        }
                    }))
                }
                None => Either::Right(view! { <p class="muted">"Point at a dot to see who it is."</p> }),
            }}
        </section>
    }
}
