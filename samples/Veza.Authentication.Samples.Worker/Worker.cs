using Microsoft.Extensions.Options;

namespace Veza.Authentication.Samples.Worker;

/// <summary>Calls the sample server's API on a schedule with the client's token: reads the graph, pushes data.</summary>
public sealed class Worker(IHttpClientFactory http, IOptions<WorkerOptions> options, IHostApplicationLifetime lifetime, ILogger<Worker> logger)
    : BackgroundService
{
    /// <summary>The named HttpClient that calls the API with the token.</summary>
    public const string ApiClient = "veza-api";

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        for (var round = 1; !stoppingToken.IsCancellationRequested; round++)
        {
            try
            {
                using var api = http.CreateClient(ApiClient);
                using var graph = await api.GetAsync("/api/graph", stoppingToken);
                using var push = await api.PostAsync("/api/integrations/push", null, stoppingToken);
                Log.Round(logger, round, (int)graph.StatusCode, (int)push.StatusCode);
            }
            catch (Exception ex) when (ex is HttpRequestException or InvalidOperationException)
            {
                Log.RoundFailed(logger, round, ex.Message);
            }

            if (settings.Iterations > 0 && round >= settings.Iterations)
            {
                lifetime.StopApplication();
                return;
            }

            await Task.Delay(settings.Interval, stoppingToken);
        }
    }
}
