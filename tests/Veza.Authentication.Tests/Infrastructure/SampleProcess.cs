using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Veza.Authentication.Tests.Infrastructure;

/// <summary>
/// The sample server as production runs it: a process of its own (the build's
/// <c>Veza.Authentication.Samples.Server.dll</c>), on Kestrel at 127.0.0.1 on a port of its own, configured by
/// command-line settings. Stopped (killed) on disposal; what it printed is kept for a failing test's message.
/// </summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<bool> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SampleProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

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

    public static async Task<SampleProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var folder = SampleFolder();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(folder, "Veza.Authentication.Samples.Server.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(address.ToString().TrimEnd('/'));
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // The line that says the host has started, whatever level the test asks for otherwise.
        start.ArgumentList.Add("--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var sample = new SampleProcess(process, address);
        process.OutputDataReceived += (_, e) => sample.Append(e.Data);
        process.ErrorDataReceived += (_, e) => sample.Append(e.Data);
        process.Exited += (_, _) => sample._started.TrySetResult(false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // The host says when it has started (after Kestrel listens); an exit says it never will.
        var started = await sample._started.Task.WaitAsync(TimeSpan.FromSeconds(90)).ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default);
        if (started)
        {
            using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
            if ((await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK)
            {
                return sample;
            }
        }

        await sample.DisposeAsync();
        Assert.Fail($"The sample server did not start at {address}:{Environment.NewLine}{sample.Output}");
        return null!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

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

        if (line.Contains("Application started.", StringComparison.Ordinal))
        {
            _started.TrySetResult(true);
        }
    }

    // The sample's own build output, beside this test's: same configuration, same target framework.
    private static string SampleFolder()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Veza.Authentication.sln")))
        {
            root = root.Parent;
        }

        Assert.That(root, Is.Not.Null, "the repository root is above the test's output folder");
        var folder = Path.Combine(root!.FullName, "samples", "Veza.Authentication.Samples.Server", "bin", configuration, framework);
        Assert.That(File.Exists(Path.Combine(folder, "Veza.Authentication.Samples.Server.dll")), Is.True, $"the sample is built in {folder}");
        return folder;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
