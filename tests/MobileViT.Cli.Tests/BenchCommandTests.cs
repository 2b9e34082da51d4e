using System.Text.Json;
using MobileViT.Cli;
using MobileViT.Service.Testing;

namespace MobileViT.Cli.Tests;

/// <summary>The load generator against the real service: it reports throughput, latencies and the server's batch sizes.</summary>
public sealed class BenchCommandTests(SmallModelServiceFixture fixture) : IClassFixture<SmallModelServiceFixture>
{
    private static readonly string Images = Path.Combine(SharedFixtures.RepositoryRoot, "benchmarks", "images");

    [Fact]
    public void A_closed_loop_point_reports_throughput_latency_and_server_batching()
    {
        var json = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = CliApp.Run(["bench", "--url", fixture.Service.BaseAddress.ToString(), "--concurrency", "8", "--duration", "2", "--warmup", "0.5",
            "--images", Images, "--json", json], output, error);

        Assert.True(exit == CliApp.ExitSuccess, $"exit {exit}\n{output}\n{error}");
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var point = report.RootElement.GetProperty("points").EnumerateArray().Single();
        Assert.True(point.GetProperty("completed").GetInt64() > 0);
        Assert.True(point.GetProperty("throughput").GetDouble() > 0);
        Assert.True(point.GetProperty("latencyMs").GetProperty("p50").GetDouble() > 0);
        Assert.True(point.GetProperty("meanBatchSize").GetDouble() >= 1);
        Assert.True(point.GetProperty("meanPreprocessMs").GetDouble() > 0);
        Assert.Empty(point.GetProperty("errors").EnumerateObject());
        Assert.Contains("c=8", output.ToString());
        Assert.Contains("prep ms", output.ToString());
        File.Delete(json);
    }

    [Fact]
    public void Group_size_reports_one_point_per_size_class_of_the_images()
    {
        var directory = Directory.CreateTempSubdirectory("bench-sizes-").FullName;
        foreach (var photo in new[] { "chelsea.jpg", "coffee.jpg" })
            File.Copy(Path.Combine(Images, photo), Path.Combine(directory, photo));
        using (var bitmap = new SkiaSharp.SKBitmap(1600, 1200))
        {
            bitmap.Erase(new SkiaSharp.SKColor(120, 80, 40));
            using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90);
            File.WriteAllBytes(Path.Combine(directory, "medium.jpg"), data.ToArray());
        }
        var json = Path.Combine(directory, "report.json");
        var output = new StringWriter();

        var exit = CliApp.Run(["bench", "--url", fixture.Service.BaseAddress.ToString(), "--concurrency", "1", "--duration", "1", "--warmup", "0.2",
            "--images", directory, "--group", "size", "--json", json], output, TextWriter.Null);

        Assert.True(exit == CliApp.ExitSuccess, $"exit {exit}\n{output}");
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var points = report.RootElement.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(["<1MP", "1-6MP"], points.Select(p => p.GetProperty("images").GetString()));
        Assert.All(points, p => Assert.True(p.GetProperty("meanPreprocessMs").GetDouble() > 0));
        var sizes = report.RootElement.GetProperty("images").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!, i => i.GetProperty("sizeClass").GetString());
        Assert.Equal("1-6MP", sizes["medium.jpg"]);
        Assert.Equal("<1MP", sizes["chelsea.jpg"]);
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [InlineData("grpc")]
    [InlineData("grpc-stream")]
    public void The_grpc_clients_report_server_batching_from_the_responses(string protocol)
    {
        var json = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");

        var exit = CliApp.Run(["bench", "--url", fixture.Service.BaseAddress.ToString(), "--grpc-url", fixture.Service.GrpcAddress.ToString(),
            "--protocol", protocol, "--concurrency", "8", "--duration", "2", "--warmup", "0.5", "--images", Images, "--json", json], TextWriter.Null, TextWriter.Null);

        Assert.Equal(CliApp.ExitSuccess, exit);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var point = report.RootElement.GetProperty("points").EnumerateArray().Single();
        Assert.Equal(protocol, point.GetProperty("protocol").GetString());
        Assert.True(point.GetProperty("completed").GetInt64() > 0);
        Assert.True(point.GetProperty("meanBatchSize").GetDouble() >= 1);
        Assert.True(point.GetProperty("meanInferenceMs").GetDouble() > 0);
        Assert.True(point.GetProperty("meanPreprocessMs").GetDouble() > 0);
        Assert.Empty(point.GetProperty("errors").EnumerateObject());
        File.Delete(json);
    }

    [Fact]
    public void The_v2_tensor_arms_run_interleaved_with_the_servers_cpu_per_request()
    {
        var json = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.json");
        var output = new StringWriter();

        // The service runs in this process, so its CPU is this process's.
        var exit = CliApp.Run(["bench", "--url", fixture.Service.BaseAddress.ToString(), "--model", "tiny", "--protocol", "v2-json,v2-binary",
            "--batch", "1,2", "--concurrency", "2", "--rounds", "2", "--duration", "1", "--warmup", "0.5",
            "--server-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--images", Images, "--json", json], output, TextWriter.Null);

        Assert.True(exit == CliApp.ExitSuccess, $"exit {exit}\n{output}");
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var points = report.RootElement.GetProperty("points").EnumerateArray().ToList();
        // Round 1 in arm order, round 2 reversed.
        Assert.Equal(["v2-json b1", "v2-json b2", "v2-binary b1", "v2-binary b2", "v2-binary b2", "v2-binary b1", "v2-json b2", "v2-json b1"],
            points.Select(p => p.GetProperty("protocol").GetString()));
        Assert.All(points, p =>
        {
            Assert.True(p.GetProperty("completed").GetInt64() > 0);
            Assert.Empty(p.GetProperty("errors").EnumerateObject());
            Assert.True(p.GetProperty("serverCpuSecondsPerRequest").GetDouble() > 0);
        });
        Assert.Contains("medians over rounds", output.ToString());
        File.Delete(json);
    }

    [Fact]
    public void An_open_loop_point_sends_at_the_requested_rate()
    {
        var output = new StringWriter();

        var exit = CliApp.Run(["bench", "--url", fixture.Service.BaseAddress.ToString(), "--rate", "20", "--duration", "2", "--warmup", "0.5",
            "--images", Images], output, TextWriter.Null);

        Assert.Equal(CliApp.ExitSuccess, exit);
        Assert.Contains("20/s", output.ToString());
    }

    [Fact]
    public void The_overload_scenario_measures_capacity_then_offers_a_multiple_of_it_smoothly_and_in_bursts_with_high_priority_beside()
    {
        var json = Path.Combine(Path.GetTempPath(), $"overload-{Guid.NewGuid():N}.json");
        var output = new StringWriter();

        // The service runs in this process, so its CPU is this process's.
        var exit = CliApp.Run(["bench", "--url", fixture.Service.BaseAddress.ToString(), "--overload", "2", "--deadline-ms", "2000", "--high-rate", "4",
            "--arrivals", "smooth,burst", "--burst-period-ms", "500", "--concurrency", "4", "--duration", "2", "--warmup", "0.5",
            "--server-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--images", Images, "--json", json],
            output, TextWriter.Null);

        Assert.True(exit == CliApp.ExitSuccess, $"exit {exit}\n{output}");
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var overload = report.RootElement.GetProperty("report");
        var capacity = overload.GetProperty("capacity").GetProperty("throughput").GetDouble();
        Assert.True(capacity > 0);
        var phases = overload.GetProperty("phases").EnumerateArray().ToList();
        Assert.Equal(["smooth", "burst"], phases.Select(p => p.GetProperty("arrivals").GetString()));
        Assert.Equal(2 * capacity, phases[0].GetProperty("normal").GetProperty("targetRate").GetDouble(), 6);
        // Bursts of 2 x capacity x 0.5 s every 500 ms: the same rate, all at once.
        var burst = phases[1].GetProperty("normal");
        Assert.Equal("burst", burst.GetProperty("mode").GetString());
        Assert.Equal(Math.Max(1, (int)Math.Round(capacity)), burst.GetProperty("concurrency").GetInt32());
        Assert.All(phases, p =>
        {
            Assert.Equal(4, p.GetProperty("high").GetProperty("targetRate").GetDouble());
            Assert.True(p.GetProperty("high").GetProperty("completed").GetInt64() > 0);
            Assert.True(p.GetProperty("goodputRatio").GetDouble() > 0);
            Assert.True(p.GetProperty("cpu").GetProperty("serverCores").GetDouble() > 0);
        });
        var refusals = overload.GetProperty("refusalCost");
        Assert.True(refusals.GetProperty("refused").GetInt64() > 0);
        Assert.True(refusals.GetProperty("serverMsPerRefused").GetDouble() > 0);
        Assert.Contains("smooth: goodput", output.ToString());
        Assert.Contains("burst: goodput", output.ToString());
        Assert.Contains("refusals alone", output.ToString());
        Assert.Contains("http-high", output.ToString());
        File.Delete(json);
    }

    [Fact]
    public void The_in_process_sweep_measures_every_combination()
    {
        var json = Path.Combine(Path.GetTempPath(), $"sweep-{Guid.NewGuid():N}.json");

        var exit = CliApp.Run(["bench", "--in-process", "--source", "synthetic:xxs", "--instances", "1,2", "--threads", "1", "--batch", "1,2",
            "--duration", "0.5", "--warmup", "0.2", "--images", Images, "--json", json], TextWriter.Null, TextWriter.Null);

        Assert.Equal(CliApp.ExitSuccess, exit);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var points = report.RootElement.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(4, points.Count);
        Assert.All(points, p => Assert.True(p.GetProperty("throughput").GetDouble() > 0));
        Assert.Equal(points.Max(p => p.GetProperty("throughput").GetDouble()), report.RootElement.GetProperty("best").GetProperty("throughput").GetDouble());
        File.Delete(json);
    }
}
