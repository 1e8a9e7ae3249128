//! `--plot`: a latency CDF of every scenario, as SVG.

use std::time::Duration;

use crate::outcome::Outcome;
use crate::report::fmt_duration;

/// Writes a latency CDF of every scenario as SVG.
pub(crate) fn plot(
    outcomes: &[Outcome],
    path: &std::path::Path,
) -> Result<(), Box<dyn std::error::Error>> {
    use plotters::prelude::*;

    let micros = |d: Duration| (d.as_secs_f64() * 1e6).max(0.1);
    let x_max = outcomes
        .iter()
        .filter_map(|o| o.latencies.last().copied())
        .map(micros)
        .fold(10.0, f64::max)
        * 1.5;
    let root = SVGBackend::new(path, (960, 600)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Probe latency CDF: one thread, hogs on always-ready sources",
            ("sans-serif", 20),
        )
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d((0.1f64..x_max).log_scale(), 0f64..1f64)?;
    chart
        .configure_mesh()
        .x_desc("latency from the ping's send to the probe running (log scale)")
        .y_desc("fraction of pings")
        .x_label_formatter(&|us| fmt_duration(Duration::from_secs_f64(us / 1e6)))
        .label_style(("sans-serif", 14))
        .draw()?;
    for (i, o) in outcomes.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let n = o.latencies.len() as f64;
        let points = o
            .latencies
            .iter()
            .enumerate()
            .map(|(rank, &d)| (micros(d), (rank + 1) as f64 / n));
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(format!("{} {}", o.scenario.key, o.scenario.name))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    let legend = chart.backend_coord(&(100.0, 0.97));
    chart
        .configure_series_labels()
        // Between the budgeted curves (tens of µs) and the unbudgeted ones
        // (hundreds of ms), where the chart is empty.
        .position(SeriesLabelPosition::Coordinate(legend.0, legend.1))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()?;
    root.present()?;
    Ok(())
}
