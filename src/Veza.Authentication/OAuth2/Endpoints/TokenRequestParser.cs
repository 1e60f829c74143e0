using Veza.Authentication.OAuth2.Grants;

namespace Veza.Authentication.OAuth2.Endpoints;

/// <summary>
/// A grant type as the token endpoint sees it: the <see cref="Grant"/> that decides, and how its parameters are read
/// from the form. One is registered for each grant type; <see cref="TokenGrantTypes"/> finds it by <c>grant_type</c>.
/// </summary>
internal interface ITokenRequestParser
{
    /// <summary>The grant type's handler.</summary>
    ITokenGrantHandler Grant { get; }

    /// <summary>Reads the grant's parameters and runs the grant; a parameter missing or malformed is <c>invalid_request</c> and the grant does not run.</summary>
    ValueTask<TokenGrantResult> HandleAsync(ClientSnapshot client, IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken);
}

/// <summary>Reads the form into <typeparamref name="TRequest"/>, the typed request its grant takes.</summary>
/// <typeparam name="TRequest">The grant's parameters.</typeparam>
internal abstract class TokenRequestParser<TRequest>(ITokenGrantHandler<TRequest> grant) : ITokenRequestParser
    where TRequest : class
{
    public ITokenGrantHandler Grant => grant;

    public ValueTask<TokenGrantResult> HandleAsync(ClientSnapshot client, IReadOnlyDictionary<string, string> form, CancellationToken cancellationToken)
        => Parse(form, out var invalid) is { } request
            ? grant.HandleAsync(client, request, cancellationToken)
            : ValueTask.FromResult<TokenGrantResult>(new GrantRefusal(OAuthConstants.Errors.InvalidRequest, invalid!));

    /// <summary>The grant's parameters; <see langword="null"/>, with <paramref name="invalid"/> saying what is wrong, when one is missing or malformed.</summary>
    protected abstract TRequest? Parse(IReadOnlyDictionary<string, string> form, out string? invalid);
}
