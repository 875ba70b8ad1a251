using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Perennial.Pages;

[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public int Status { get; private set; }
    public string Heading { get; private set; } = "";
    public string Explanation { get; private set; } = "";

    public void OnGet(int? status) => Describe(status);

    public void OnPost(int? status) => Describe(status);

    private void Describe(int? status)
    {
        Status = status ?? 500;
        (Heading, Explanation) = Status switch
        {
            400 => ("Bad request", "The request could not be understood. Check the form and try again."),
            403 => ("Not allowed", "Your role does not allow this. Ask an administrator of the organisation if you need it."),
            404 => ("Not found", "There is nothing here, or it belongs to an organisation you are not a member of."),
            _ => ("Something went wrong", "The server could not complete the request. It has been logged."),
        };
        Response.StatusCode = Status is >= 400 and < 600 ? Status : 500;
    }
}
