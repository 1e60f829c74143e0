using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;

namespace Veza.Authentication.Tests.Infrastructure;

/// <summary>A SQLite file of its own for a hosted sample server, removed afterwards: the sample's default storage,
/// without tests sharing (or leaving behind) the file beside the sample.</summary>
internal sealed class SampleDatabase : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"veza-sample-test-{Guid.NewGuid():N}.db");

    /// <summary>Points the sample at this file. A setting, not app configuration, so the sample sees it while it builds.</summary>
    public IWebHostBuilder Use(IWebHostBuilder builder) => builder.UseSetting("ConnectionStrings:VezaSqlite", $"Data Source={Path}");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" })
        {
            File.Delete(file);
        }
    }
}
