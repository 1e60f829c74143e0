namespace Veza.Authentication.OAuth2.Grants;

/// <summary>
/// One grant type of the token endpoint (RFC 6749 §4), chosen by its <c>grant_type</c>. The endpoint has already
/// authenticated the client; the grant decides whether that client may have tokens, and issues them.
/// </summary>
internal interface ITokenGrantHandler
{
    /// <summary>The <c>grant_type</c> it answers.</summary>
    string GrantType { get; }

    /// <summary>Whether the server offers it now: the stores it needs are registered.</summary>
    bool IsOffered { get; }

    /// <summary>Whether <paramref name="client"/> may use it (its kind, and the grant being offered).</summary>
    bool IsAllowedFor(ClientSnapshot client);
}

/// <summary>A grant type that takes its parameters as <typeparamref name="TRequest"/>, read by the endpoint.</summary>
/// <typeparam name="TRequest">The grant's parameters, already present and well-formed.</typeparam>
internal interface ITokenGrantHandler<in TRequest> : ITokenGrantHandler
    where TRequest : class
{
    /// <summary>
    /// Tokens for <paramref name="client"/>, or why not. Only called for a client <see cref="ITokenGrantHandler.IsAllowedFor"/>
    /// accepts. An exception means the grant could not be decided (a store or the signing keys failed): the endpoint
    /// answers that tokens cannot be issued right now.
    /// </summary>
    ValueTask<TokenGrantResult> HandleAsync(ClientSnapshot client, TRequest request, CancellationToken cancellationToken);
}
