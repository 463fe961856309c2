using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace Domu.EndToEnd.Tests;

/// <summary>A built Domu executable (Api or Silo) run as its own OS process, talking HTTP on loopback.</summary>
public sealed partial class DomuProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DomuProcess(string project, int httpPort, IEnumerable<string> args)
    {
        var dll = Path.Combine(RepositoryRoot(), "src", project, "bin", BuildConfiguration(), "net10.0", $"Domu.{project}.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the solution first; {dll} is missing.");
        }

        HttpPort = httpPort;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"--Urls=http://127.0.0.1:{httpPort}");
        start.ArgumentList.Add("--Simulator:Enabled=false"); // tests that want it pass true later, which wins
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int HttpPort { get; }

    public HttpClient Http { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static DomuProcess Start(string project, int httpPort, params string[] args) => new(project, httpPort, args);

    /// <summary>Polls <paramref name="path"/> until it answers <paramref name="status"/>, or fails with the process's output.</summary>
    public async Task WaitForAsync(string path, HttpStatusCode status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        HttpStatusCode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The process exited with {_process.ExitCode} while waiting for {path}:\n{Output}");
            }
            try
            {
                using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
                last = response.StatusCode;
                if (response.StatusCode == status)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{path} did not answer {status} within {timeout} (last: {last?.ToString() ?? "no answer"}):\n{Output}");
    }

    /// <summary>Asks the process to stop as Ctrl+C or a container stop would, and returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        Assert.Equal(0, SendSignal(_process.Id, SigTerm));
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Kills the process outright, as a crash or <c>kill -9</c> would.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        Http.Dispose();
        _process.Dispose();
    }

    public static string Arg(string key, object value) =>
        string.Create(CultureInfo.InvariantCulture, $"--{key}={value}");

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Domu.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Domu.sln not found above " + AppContext.BaseDirectory);
    }

    // The tests run from test/<project>/bin/<configuration>/net10.0/; the executables were built alike.
    private static string BuildConfiguration() =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
