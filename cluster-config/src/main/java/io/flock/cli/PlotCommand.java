package io.flock.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flock plot}: loss and accuracy (and epsilon, when recorded) per round, as a PNG. */
@Command(name = "plot", mixinStandardHelpOptions = true,
    description = "Plot test loss, accuracy and (when recorded) epsilon per round from --metrics-out files.")
final class PlotCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "METRICS.jsonl",
      description = "One or more JSON-lines metrics files; each becomes one line per panel.")
  List<Path> metrics;

  @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.png", description = "PNG file to write.")
  Path out;

  @Option(names = "--width", defaultValue = "900", description = "Image width in pixels (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--height", defaultValue = "700", description = "Image height in pixels (default: ${DEFAULT-VALUE}).")
  int height;

  @Override
  public Integer call() throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection loss = new XYSeriesCollection();
    XYSeriesCollection accuracy = new XYSeriesCollection();
    XYSeriesCollection epsilon = new XYSeriesCollection();
    ObjectMapper json = new ObjectMapper();
    for (Path file : metrics) {
      if (!Files.isReadable(file)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "cannot read metrics file " + file);
      }
      String name = file.getFileName().toString().replaceFirst("\\.jsonl$", "");
      XYSeries l = new XYSeries(name);
      XYSeries a = new XYSeries(name);
      XYSeries e = new XYSeries(name);
      int lineNo = 0;
      for (String line : Files.readAllLines(file)) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode n;
        try {
          n = json.readTree(line);
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
          throw new CommandLine.ParameterException(spec.commandLine(),
              file + ":" + lineNo + " is not JSON: " + ex.getOriginalMessage());
        }
        if (!"round".equals(n.path("event").asText()) || !n.path("completed").asBoolean(false)) {
          continue;
        }
        double round = n.path("round").asDouble();
        addIfNumber(l, round, n.get("currentLoss"), 1);
        addIfNumber(a, round, n.get("accuracy"), 100);
        addIfNumber(e, round, n.get("epsilon"), 1);
      }
      loss.addSeries(l);
      accuracy.addSeries(a);
      if (e.getItemCount() > 0) {
        epsilon.addSeries(e);
      }
    }
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("round"));
    XYPlot first = panel(loss, "test loss");
    plot.add(first, 1);
    plot.setFixedLegendItems(first.getLegendItems());
    plot.add(panel(accuracy, "test accuracy (%)"), 1);
    if (epsilon.getSeriesCount() > 0) {
      plot.add(panel(epsilon, "epsilon spent"), 1);
    }
    JFreeChart chart = new JFreeChart("Flock: global model per round", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(out.toFile(), chart, width, height);
    PrintWriter w = spec.commandLine().getOut();
    w.println("plot written to " + out);
    w.flush();
    return 0;
  }

  /** The same colour for the same file in every panel. */
  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
    new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)
  };

  private static void addIfNumber(XYSeries series, double x, JsonNode value, double scale) {
    if (value != null && value.isNumber()) {
      series.add(x, value.asDouble() * scale);
    }
  }

  private static XYPlot panel(XYSeriesCollection data, String label) {
    NumberAxis axis = new NumberAxis(label);
    axis.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesStroke(i, new BasicStroke(2f));
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
    }
    XYPlot p = new XYPlot(data, null, axis, renderer);
    p.setBackgroundPaint(Color.WHITE);
    p.setRangeGridlinePaint(Color.LIGHT_GRAY);
    p.setDomainGridlinePaint(Color.LIGHT_GRAY);
    return p;
  }
}
