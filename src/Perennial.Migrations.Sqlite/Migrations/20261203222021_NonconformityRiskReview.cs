using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perennial.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class NonconformityRiskReview : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "RiskReviewRequestedAt",
                table: "Nonconformities",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RiskReviewRequestedByName",
                table: "Nonconformities",
                type: "TEXT",
                maxLength: 256,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RiskReviewRequestedAt",
                table: "Nonconformities");

            migrationBuilder.DropColumn(
                name: "RiskReviewRequestedByName",
                table: "Nonconformities");
        }
    }
}
