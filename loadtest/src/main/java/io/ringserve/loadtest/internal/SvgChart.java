package io.ringserve.loadtest.internal;

import java.util.List;
import java.util.Locale;

/**
 * Draws small inline SVG charts (lines, bars) for the HTML report, so that the report needs no
 * script library and fetches nothing. Stateless; each call returns one {@code <svg>} element.
 */
final class SvgChart {
  private static final int WIDTH = 760;
  private static final int HEIGHT = 300;
  private static final int LEFT = 70;
  private static final int RIGHT = 20;
  private static final int TOP = 34;
  private static final int BOTTOM = 46;
  private static final int TICKS = 5;

  /** A named series of points, drawn in {@code color}; {@code labels} (may be null) tag points. */
  record Series(String name, String color, double[] x, double[] y, String[] labels) {}

  private SvgChart() {}

  /** A line chart; {@code markers} draws a dot on every point. */
  static String lines(
      String title, String xLabel, String yLabel, List<Series> series, boolean markers) {
    double xMax = 0;
    double yMax = 0;
    for (Series s : series) {
      for (double v : s.x()) {
        xMax = Math.max(xMax, v);
      }
      for (double v : s.y()) {
        yMax = Math.max(yMax, v);
      }
    }
    double xTop = nice(xMax);
    double yTop = nice(yMax);
    StringBuilder svg = frame(title, xLabel, yLabel, xTop, yTop);
    int legendX = LEFT + 10;
    for (Series s : series) {
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < s.x().length; i++) {
        points.append(f(px(s.x()[i], xTop))).append(',').append(f(py(s.y()[i], yTop))).append(' ');
      }
      svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
          .append(s.color())
          .append("\" points=\"")
          .append(points.toString().trim())
          .append("\"/>\n");
      if (markers) {
        for (int i = 0; i < s.x().length; i++) {
          svg.append("<circle r=\"3\" fill=\"")
              .append(s.color())
              .append("\" cx=\"")
              .append(f(px(s.x()[i], xTop)))
              .append("\" cy=\"")
              .append(f(py(s.y()[i], yTop)))
              .append("\"><title>")
              .append(HtmlReport.esc(s.labels() == null ? s.name() : s.labels()[i]))
              .append(String.format(Locale.ROOT, ": %.4g, %.4g", s.x()[i], s.y()[i]))
              .append("</title></circle>\n");
          if (s.labels() != null) {
            svg.append("<text class=\"pt\" x=\"")
                .append(f(px(s.x()[i], xTop) + 4))
                .append("\" y=\"")
                .append(f(py(s.y()[i], yTop) - 4))
                .append("\">")
                .append(HtmlReport.esc(s.labels()[i]))
                .append("</text>\n");
          }
        }
      }
      svg.append("<rect x=\"")
          .append(legendX)
          .append("\" y=\"")
          .append(TOP - 14)
          .append("\" width=\"10\" height=\"10\" fill=\"")
          .append(s.color())
          .append("\"/>");
      svg.append("<text class=\"legend\" x=\"")
          .append(legendX + 14)
          .append("\" y=\"")
          .append(TOP - 5)
          .append("\">")
          .append(HtmlReport.esc(s.name()))
          .append("</text>\n");
      legendX += 24 + 7 * s.name().length();
    }
    return svg.append("</svg>\n").toString();
  }

  /** A bar chart with one bar per label. */
  static String bars(
      String title, String xLabel, String yLabel, String[] labels, double[] values, String color) {
    double yMax = 0;
    for (double v : values) {
      yMax = Math.max(yMax, v);
    }
    double yTop = nice(yMax);
    StringBuilder svg = frame(title, xLabel, yLabel, Double.NaN, yTop);
    double slot = (WIDTH - LEFT - RIGHT) / (double) Math.max(1, values.length);
    for (int i = 0; i < values.length; i++) {
      double x = LEFT + i * slot + slot * 0.1;
      double y = py(values[i], yTop);
      svg.append("<rect fill=\"")
          .append(color)
          .append("\" x=\"")
          .append(f(x))
          .append("\" y=\"")
          .append(f(y))
          .append("\" width=\"")
          .append(f(slot * 0.8))
          .append("\" height=\"")
          .append(f(HEIGHT - BOTTOM - y))
          .append("\"><title>")
          .append(HtmlReport.esc(labels[i]))
          .append(": ")
          .append(String.format(Locale.ROOT, "%.0f", values[i]))
          .append("</title></rect>\n");
      svg.append("<text class=\"tick\" text-anchor=\"middle\" x=\"")
          .append(f(x + slot * 0.4))
          .append("\" y=\"")
          .append(HEIGHT - BOTTOM + 14)
          .append("\">")
          .append(HtmlReport.esc(labels[i]))
          .append("</text>\n");
    }
    return svg.append("</svg>\n").toString();
  }

  /** The svg element, title, axes, y ticks and (if {@code xTop} is a number) x ticks. */
  private static StringBuilder frame(
      String title, String xLabel, String yLabel, double xTop, double yTop) {
    StringBuilder svg = new StringBuilder();
    svg.append("<svg class=\"chart\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(HEIGHT)
        .append("\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(HEIGHT)
        .append("\">\n");
    svg.append("<text class=\"title\" x=\"")
        .append(WIDTH / 2)
        .append("\" y=\"14\" text-anchor=\"middle\">")
        .append(HtmlReport.esc(title))
        .append("</text>\n");
    int x0 = LEFT;
    int y0 = HEIGHT - BOTTOM;
    svg.append("<line class=\"axis\" x1=\"")
        .append(x0)
        .append("\" y1=\"")
        .append(y0)
        .append("\" x2=\"")
        .append(WIDTH - RIGHT)
        .append("\" y2=\"")
        .append(y0)
        .append("\"/>\n");
    svg.append("<line class=\"axis\" x1=\"")
        .append(x0)
        .append("\" y1=\"")
        .append(TOP)
        .append("\" x2=\"")
        .append(x0)
        .append("\" y2=\"")
        .append(y0)
        .append("\"/>\n");
    for (int i = 0; i <= TICKS; i++) {
      double v = yTop * i / TICKS;
      double y = py(v, yTop);
      svg.append("<line class=\"grid\" x1=\"")
          .append(x0)
          .append("\" x2=\"")
          .append(WIDTH - RIGHT)
          .append("\" y1=\"")
          .append(f(y))
          .append("\" y2=\"")
          .append(f(y))
          .append("\"/>");
      svg.append("<text class=\"tick\" text-anchor=\"end\" x=\"")
          .append(x0 - 4)
          .append("\" y=\"")
          .append(f(y + 4))
          .append("\">")
          .append(tick(v))
          .append("</text>\n");
      if (!Double.isNaN(xTop)) {
        double xv = xTop * i / TICKS;
        svg.append("<text class=\"tick\" text-anchor=\"middle\" x=\"")
            .append(f(px(xv, xTop)))
            .append("\" y=\"")
            .append(y0 + 14)
            .append("\">")
            .append(tick(xv))
            .append("</text>\n");
      }
    }
    svg.append("<text class=\"label\" text-anchor=\"middle\" x=\"")
        .append((LEFT + WIDTH - RIGHT) / 2)
        .append("\" y=\"")
        .append(HEIGHT - 8)
        .append("\">")
        .append(HtmlReport.esc(xLabel))
        .append("</text>\n");
    svg.append("<text class=\"label\" text-anchor=\"middle\" transform=\"translate(14,")
        .append((TOP + y0) / 2)
        .append(") rotate(-90)\">")
        .append(HtmlReport.esc(yLabel))
        .append("</text>\n");
    return svg;
  }

  private static double px(double x, double xTop) {
    return LEFT + (xTop <= 0 ? 0 : x / xTop) * (WIDTH - LEFT - RIGHT);
  }

  private static double py(double y, double yTop) {
    return HEIGHT - BOTTOM - (yTop <= 0 ? 0 : y / yTop) * (HEIGHT - BOTTOM - TOP);
  }

  /** The smallest 1, 2, 2.5 or 5 times a power of ten at or above {@code v}. */
  static double nice(double v) {
    if (!(v > 0)) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String tick(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e9
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.3g", v);
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
