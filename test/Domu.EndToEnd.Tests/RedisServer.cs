using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Domu.Testing;

namespace Domu.EndToEnd.Tests;

/// <summary>A throwaway redis-server on a free loopback port, without persistence.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts redis-server on <paramref name="port"/>, or on a free port.</summary>
    public static async Task<RedisServer> StartAsync(int? port = null)
    {
        var program = ExternalProgram.Require("redis-server", "redis-server");
        port ??= FreePort.Next();
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", port.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }
        var server = new RedisServer(Process.Start(start)!, port.Value);
        server._process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (!await server.PingAsync())
        {
            if (server._process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new InvalidOperationException($"redis-server did not answer PING on port {port}:\n{server._output}");
            }
            await Task.Delay(100);
        }
        return server;
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
