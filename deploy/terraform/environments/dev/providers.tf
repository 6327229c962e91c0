provider "aws" {
  region = var.region
  # Refuse to run against any other account (a wrong profile cannot touch it).
  allowed_account_ids = [var.aws_account_id]

  default_tags {
    tags = {
      Project     = "pingvas"
      Environment = "dev"
      ManagedBy   = "terraform"
    }
  }
}
