package io.ringserve.loadtest.cli;

import io.ringserve.loadtest.ConcurrencyRange;
import io.ringserve.loadtest.ContentsMode;
import io.ringserve.loadtest.Protocol;
import io.ringserve.loadtest.ReportFormat;
import io.ringserve.loadtest.Target;
import io.ringserve.loadtest.Warmup;
import io.ringserve.loadtest.internal.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters for the command's option values; each says what a bad value should be. */
final class Converters {
  private Converters() {}

  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** {@code HOST:PORT} or {@code [IPV6]:PORT}. */
  static final class AddressConverter implements ITypeConverter<Map.Entry<String, Integer>> {
    @Override
    public Map.Entry<String, Integer> convert(String value) {
      try {
        Target target = Target.parse(value);
        return Map.entry(target.host(), target.port());
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** A fraction {@code 0.05} or a percentage {@code 5%}, in [0, 1]. */
  static final class RateConverter implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      String v = value.trim();
      boolean percent = v.endsWith("%");
      try {
        double rate = Double.parseDouble(percent ? v.substring(0, v.length() - 1) : v);
        rate = percent ? rate / 100 : rate;
        if (rate >= 0 && rate <= 1) {
          return rate;
        }
      } catch (NumberFormatException e) {
        // Falls through to the message below.
      }
      throw new TypeConversionException(
          "'" + value + "' must be a fraction from 0 to 1 (0.01) or a percentage (1%)");
    }
  }

  /** {@code 500} (requests) or {@code 2s} (a duration). */
  static final class WarmupConverter implements ITypeConverter<Warmup> {
    @Override
    public Warmup convert(String value) {
      try {
        return Durations.isDuration(value)
            ? Warmup.duration(Durations.parse(value))
            : Warmup.requests(Long.parseLong(value.trim()));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(
            "'" + value + "' is neither a number of requests nor a duration (500, 2s)");
      }
    }
  }

  /** {@code NAME:d1,d2,...} (perf_analyzer) or {@code NAME=d1,d2,...} (ringserve-infer). */
  static final class ShapeConverter implements ITypeConverter<Map.Entry<String, List<Long>>> {
    @Override
    public Map.Entry<String, List<Long>> convert(String value) {
      int colon = Math.max(value.lastIndexOf(':'), value.lastIndexOf('='));
      if (colon <= 0 || colon == value.length() - 1) {
        throw new TypeConversionException(
            "'" + value + "' must be NAME:d1,d2,... (for example INPUT0:16 or IMAGE:3,224,224)");
      }
      List<Long> dims = new ArrayList<>();
      for (String d : value.substring(colon + 1).split(",", -1)) {
        try {
          long v = Long.parseLong(d.trim());
          if (v < 0) {
            throw new NumberFormatException();
          }
          dims.add(v);
        } catch (NumberFormatException e) {
          throw new TypeConversionException(
              "'" + value + "': dimension '" + d + "' is not a whole number >= 0");
        }
      }
      return Map.entry(value.substring(0, colon), List.copyOf(dims));
    }
  }

  /** {@code name: value} or {@code name=value}; names are lower-cased as HTTP/2 requires. */
  static final class HeaderConverter implements ITypeConverter<Map.Entry<String, String>> {
    @Override
    public Map.Entry<String, String> convert(String value) {
      int at = value.indexOf(':');
      int eq = value.indexOf('=');
      int split = at < 0 ? eq : eq < 0 ? at : Math.min(at, eq);
      if (split <= 0) {
        throw new TypeConversionException("'" + value + "' must be 'name: value'");
      }
      String name = value.substring(0, split).trim().toLowerCase(Locale.ROOT);
      if (name.endsWith("-bin") || !name.matches("[a-z0-9_.-]+")) {
        throw new TypeConversionException(
            "header name '" + name + "' must be ASCII letters, digits, '-', '_' or '.' (no -bin)");
      }
      return Map.entry(name, value.substring(split + 1).trim());
    }
  }

  static final class RangeConverter implements ITypeConverter<ConcurrencyRange> {
    @Override
    public ConcurrencyRange convert(String value) {
      try {
        return ConcurrencyRange.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class FormatConverter implements ITypeConverter<ReportFormat> {
    @Override
    public ReportFormat convert(String value) {
      try {
        return ReportFormat.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  static final class ContentsConverter implements ITypeConverter<ContentsMode> {
    @Override
    public ContentsMode convert(String value) {
      try {
        return ContentsMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("'" + value + "' must be raw or typed");
      }
    }
  }

  static final class ProtocolConverter implements ITypeConverter<Protocol> {
    @Override
    public Protocol convert(String value) {
      try {
        return Protocol.valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("'" + value + "' must be grpc or http");
      }
    }
  }
}
