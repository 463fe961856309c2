using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Domu.Testing;

namespace Domu.Api.Tests;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c>) on a free loopback port, scraping the given
/// target every second, with its storage in a temporary folder removed on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly StringWriter _log = new();

    private PrometheusServer(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Http { get; }

    public static async Task<PrometheusServer> StartAsync(Uri target)
    {
        var program = ExternalProgram.Require("prometheus", "prometheus");
        var folder = Directory.CreateTempSubdirectory("domu-prometheus-").FullName;
        var port = FreePort.Next();
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: domu-api
                static_configs:
                  - targets: ["{target.Authority}"]
            """);

        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
        {
            $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
        })
        {
            start.ArgumentList.Add(argument);
        }
        var server = new PrometheusServer(Process.Start(start)!, folder, port);
        server._process.OutputDataReceived += (_, e) => server.Log(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Log(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        await server.WaitUntilAsync(async () =>
        {
            using var ready = await server.Http.GetAsync(new Uri("/-/ready", UriKind.Relative));
            return ready.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(30), "Prometheus did not become ready");
        return server;
    }

    /// <summary>The single value of an instant query, or null when the result is empty.</summary>
    public async Task<double?> QueryAsync(string promql)
    {
        var answer = await Http.GetFromJsonAsync<JsonElement>($"/api/v1/query?query={Uri.EscapeDataString(promql)}");
        Assert.Equal("success", answer.GetProperty("status").GetString());
        var result = answer.GetProperty("data").GetProperty("result");
        if (result.ValueKind == JsonValueKind.Array)
        {
            if (result.GetArrayLength() == 0)
            {
                return null;
            }
            Assert.Equal(1, result.GetArrayLength());
            result = result[0].GetProperty("value");
        }
        return double.Parse(result[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing with the server's log after <paramref name="limit"/>.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit, string failure)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException) when (deadline.Elapsed < limit)
            {
            }
            if (_process.HasExited || deadline.Elapsed >= limit)
            {
                Assert.Fail($"{failure} within {limit.TotalSeconds} s. Prometheus said:\n{_log}");
            }
            await Task.Delay(250);
        }
    }

    private void Log(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.WriteLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _log.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
