using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Veza.Authentication.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of the test's own, which it can stop for real (<c>pg_ctl stop</c>) and start again: the
/// binaries come from <c>VEZA_PG_BIN</c> (set by <c>./test.sh</c>) or the newest Debian install. As root, the server
/// runs as the <c>postgres</c> user, as PostgreSQL requires.
/// </summary>
internal sealed class OwnPostgreSqlServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _directory;
    private readonly int _port;

    private OwnPostgreSqlServer(string bin, string directory, int port)
    {
        _bin = bin;
        _directory = directory;
        _port = port;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=veza;Database=postgres;Timeout=3";
    }

    public string ConnectionString { get; }

    public static async Task<OwnPostgreSqlServer> StartAsync()
    {
        PostgreSqlTestDatabase.RequireServer();
        var bin = Environment.GetEnvironmentVariable("VEZA_PG_BIN");
        if (string.IsNullOrEmpty(bin))
        {
            bin = Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderBy(d => d, StringComparer.Ordinal).LastOrDefault()
                : null;
        }

        if (bin is null || !File.Exists(Path.Combine(bin, "pg_ctl")))
        {
            Assert.Fail("PostgreSQL's initdb and pg_ctl were not found: set VEZA_PG_BIN (./test.sh does).");
        }

        var directory = Directory.CreateTempSubdirectory("veza-own-pg-").FullName;
        var server = new OwnPostgreSqlServer(bin!, directory, FreePort());
        if (IsRoot)
        {
            await RunAsync("chown", "postgres:", directory);
        }

        await server.PgAsync("initdb", "-D", server.Data, "-U", "veza", "--auth=trust", "-E", "UTF8", "--locale=C");
        await server.StartAgainAsync();
        return server;
    }

    private string Data => Path.Combine(_directory, "data");

    /// <summary>Stops the server for real; connections break.</summary>
    public Task StopAsync() => PgAsync("pg_ctl", "-D", Data, "-m", "fast", "-w", "stop");

    public Task StartAgainAsync() => PgAsync("pg_ctl", "-D", Data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
        "-o", $"-p {_port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off", "start");

    public async Task<NpgsqlConnection> ConnectAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await PgAsync("pg_ctl", "-D", Data, "-m", "immediate", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_directory, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private Task PgAsync(string program, params string[] arguments)
        => IsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. arguments])
            : RunAsync(Path.Combine(_bin, program), arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
