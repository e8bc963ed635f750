// lessons/14-tcp-vs-udp/svg_chart.cpp
//
// The comparison as a picture, written by hand: SVG is plain text (rectangles and labels),
// and any browser opens it. Top: what the application got, as counts. Bottom: latency and
// goodput. One colour per transport.
#include "lab.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <string>
#include <vector>

namespace lab {
namespace {

constexpr int kWidth = 960;
constexpr int kHeight = 640;
constexpr std::array<const char*, 3> kColours{"#d95f02", "#1b9e77", "#7570b3"};

std::string escaped(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else out += c;
    }
    return out;
}

struct Svg {
    std::string body;
    void text(double x, double y, std::string_view words, std::string_view style = "") {
        body += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" {}>{}</text>\n", x, y, style, escaped(words));
    }
    void rect(double x, double y, double w, double h, std::string_view fill) {
        body += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>\n",
                            x, y, w, h, fill);
    }
    void line(double x1, double y1, double x2, double y2) {
        body += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#888\"/>\n",
                            x1, y1, x2, y2);
    }
};

// Groups of bars: one group per metric, one bar per transport, in the box (x, y, w, h).
void bar_groups(Svg& svg, double x, double y, double w, double h, std::string_view title,
                const std::vector<std::string>& metrics, const std::vector<std::vector<double>>& values,
                std::string_view number_format) {
    svg.text(x, y - 8, title, "font-weight=\"bold\"");
    double top = 0;
    for (const auto& per_metric : values) for (double v : per_metric) top = std::max(top, v);
    if (top <= 0) top = 1;
    const double base = y + h;
    svg.line(x, base, x + w, base);
    const double group = w / static_cast<double>(metrics.size());
    const double bar = group * 0.8 / static_cast<double>(kColours.size());
    for (std::size_t m = 0; m < metrics.size(); ++m) {
        const double left = x + group * static_cast<double>(m) + group * 0.1;
        for (std::size_t t = 0; t < values[m].size(); ++t) {
            const double height = values[m][t] / top * (h - 16);
            const double bx = left + bar * static_cast<double>(t);
            svg.rect(bx, base - height, bar - 2, height, kColours[t % kColours.size()]);
            svg.text(bx + bar / 2 - 1, base - height - 3, fmt::format(fmt::runtime(number_format), values[m][t]),
                     "font-size=\"10\" text-anchor=\"middle\"");
        }
        svg.text(left + group * 0.4, base + 16, metrics[m], "font-size=\"12\" text-anchor=\"middle\"");
    }
}

}  // namespace

looplab::Status write_svg(const std::string& path, const std::vector<RunResult>& rows,
                          const Workload& workload, bool tcp_impaired) {
    Svg svg;
    svg.text(20, 28, fmt::format("TCP vs UDP: {} messages of {} bytes", workload.count, workload.size),
             "font-size=\"18\" font-weight=\"bold\"");
    svg.text(20, 48, fmt::format("lossy link (seed {}): {}", workload.seed, describe(workload.path)),
             "font-size=\"12\"");
    svg.text(20, 64, tcp_impaired ? "TCP crossed the same impairments (netem in the kernel)"
                                  : "TCP crossed a TCP relay with the same delay but NO loss (no --netem): "
                                    "it had nothing to recover from",
             "font-size=\"12\" fill=\"#a00\"");
    for (std::size_t t = 0; t < rows.size(); ++t) {   // the legend
        const double lx = 20 + 190.0 * static_cast<double>(t);
        svg.rect(lx, 80, 12, 12, kColours[t % kColours.size()]);
        svg.text(lx + 16, 91, rows[t].transport, "font-size=\"12\"");
    }

    const std::vector<std::string> counts{"delivered", "lost", "duplicated", "out of order",
                                          "corrupted & caught", "retransmissions"};
    std::vector<std::vector<double>> count_values(counts.size());
    for (const RunResult& row : rows) {
        const std::array<double, 6> v{double(row.delivered), double(row.lost()), double(row.duplicated),
                                      double(row.out_of_order), double(row.corrupted_caught),
                                      double(row.retransmissions)};
        for (std::size_t m = 0; m < v.size(); ++m) count_values[m].push_back(v[m]);
    }
    bar_groups(svg, 40, 130, kWidth - 80, 220, "What the receiving application got (counts)", counts,
               count_values, "{:.0f}");

    std::vector<std::vector<double>> latency(2), goodput(1);
    for (const RunResult& row : rows) {
        latency[0].push_back(row.p50_ms);
        latency[1].push_back(row.p99_ms);
        goodput[0].push_back(row.goodput_kib_s);
    }
    bar_groups(svg, 40, 430, 540, 160, "Latency, queued to delivered (ms)", {"p50", "p99"}, latency, "{:.1f}");
    bar_groups(svg, 640, 430, 280, 160, "Goodput (KiB/s)", {"payload delivered per second"}, goodput, "{:.0f}");

    std::ofstream out{path};
    if (!out) return looplab::Error::from_errno(fmt::format("open {}", path));
    out << fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
                       "viewBox=\"0 0 {} {}\" font-family=\"sans-serif\">\n",
                       kWidth, kHeight, kWidth, kHeight)
        << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" << svg.body << "</svg>\n";
    if (!out) return looplab::Error::from_errno(fmt::format("write {}", path));
    return looplab::Ok{};
}

}  // namespace lab
