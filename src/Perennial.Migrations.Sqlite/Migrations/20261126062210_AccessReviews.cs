using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Perennial.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AccessReviews : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AccessReviews",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OccurrenceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    System = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    SnapshotEvidenceItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SnapshotTakenAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReviewerUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 12, nullable: false),
                    CreatedByUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SignedOffByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SignedOffAt = table.Column<long>(type: "INTEGER", nullable: true),
                    SignOffNote = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    RecordEvidenceItemId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccessReviews", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccessReviews_AspNetUsers_CreatedByUserId",
                        column: x => x.CreatedByUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_AccessReviews_AspNetUsers_ReviewerUserId",
                        column: x => x.ReviewerUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_AccessReviews_AspNetUsers_SignedOffByUserId",
                        column: x => x.SignedOffByUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_AccessReviews_EvidenceItems_RecordEvidenceItemId",
                        column: x => x.RecordEvidenceItemId,
                        principalTable: "EvidenceItems",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_AccessReviews_EvidenceItems_SnapshotEvidenceItemId",
                        column: x => x.SnapshotEvidenceItemId,
                        principalTable: "EvidenceItems",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_AccessReviews_Occurrences_OccurrenceId",
                        column: x => x.OccurrenceId,
                        principalTable: "Occurrences",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccessReviews_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AccessReviewEntries",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccessReviewId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    AccountId = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    Email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    Disabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    Access = table.Column<string>(type: "TEXT", nullable: false),
                    Decision = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    AccessToRemove = table.Column<string>(type: "TEXT", nullable: false),
                    DecidedByUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    DecidedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccessReviewEntries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccessReviewEntries_AccessReviews_AccessReviewId",
                        column: x => x.AccessReviewId,
                        principalTable: "AccessReviews",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccessReviewEntries_AspNetUsers_DecidedByUserId",
                        column: x => x.DecidedByUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "AccessReviewActions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganisationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AccessReviewId = table.Column<Guid>(type: "TEXT", nullable: false),
                    EntryId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    AssigneeUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    DueDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ConfirmedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ConfirmingSnapshotEvidenceItemId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccessReviewActions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AccessReviewActions_AccessReviewEntries_EntryId",
                        column: x => x.EntryId,
                        principalTable: "AccessReviewEntries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccessReviewActions_AccessReviews_AccessReviewId",
                        column: x => x.AccessReviewId,
                        principalTable: "AccessReviews",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AccessReviewActions_AspNetUsers_AssigneeUserId",
                        column: x => x.AssigneeUserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_AccessReviewActions_EvidenceItems_ConfirmingSnapshotEvidenceItemId",
                        column: x => x.ConfirmingSnapshotEvidenceItemId,
                        principalTable: "EvidenceItems",
                        principalColumn: "Id");
                    table.ForeignKey(
                        name: "FK_AccessReviewActions_Organisations_OrganisationId",
                        column: x => x.OrganisationId,
                        principalTable: "Organisations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewActions_AccessReviewId",
                table: "AccessReviewActions",
                column: "AccessReviewId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewActions_AssigneeUserId",
                table: "AccessReviewActions",
                column: "AssigneeUserId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewActions_ConfirmingSnapshotEvidenceItemId",
                table: "AccessReviewActions",
                column: "ConfirmingSnapshotEvidenceItemId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewActions_EntryId",
                table: "AccessReviewActions",
                column: "EntryId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewActions_OrganisationId_State",
                table: "AccessReviewActions",
                columns: new[] { "OrganisationId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewEntries_AccessReviewId_Position",
                table: "AccessReviewEntries",
                columns: new[] { "AccessReviewId", "Position" });

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviewEntries_DecidedByUserId",
                table: "AccessReviewEntries",
                column: "DecidedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_CreatedByUserId",
                table: "AccessReviews",
                column: "CreatedByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_OccurrenceId",
                table: "AccessReviews",
                column: "OccurrenceId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_OrganisationId_State",
                table: "AccessReviews",
                columns: new[] { "OrganisationId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_RecordEvidenceItemId",
                table: "AccessReviews",
                column: "RecordEvidenceItemId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_ReviewerUserId",
                table: "AccessReviews",
                column: "ReviewerUserId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_SignedOffByUserId",
                table: "AccessReviews",
                column: "SignedOffByUserId");

            migrationBuilder.CreateIndex(
                name: "IX_AccessReviews_SnapshotEvidenceItemId",
                table: "AccessReviews",
                column: "SnapshotEvidenceItemId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccessReviewActions");

            migrationBuilder.DropTable(
                name: "AccessReviewEntries");

            migrationBuilder.DropTable(
                name: "AccessReviews");
        }
    }
}
