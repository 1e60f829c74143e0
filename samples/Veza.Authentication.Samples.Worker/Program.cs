using Veza.Authentication.Samples.Worker;

// A backend service that authenticates as an OAuth2 client (client credentials) and calls the sample server.
// Start the server first: dotnet run --project samples/Veza.Authentication.Samples.Server
var builder = Host.CreateApplicationBuilder(args);
builder.Services.Configure<WorkerOptions>(builder.Configuration.GetSection("Veza"));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<ClientCredentialsTokenCache>();
builder.Services.AddTransient<ClientCredentialsHandler>();
builder.Services.AddHttpClient(ClientCredentialsTokenCache.AuthorizationServerClient);
builder.Services.AddHttpClient(Worker.ApiClient, (sp, client) =>
        client.BaseAddress = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<WorkerOptions>>().Value.ApiBaseAddress)
    .AddHttpMessageHandler<ClientCredentialsHandler>();
builder.Services.AddHostedService<Worker>();
await builder.Build().RunAsync();
