variable "name" {
  description = "Prefix for every resource name, e.g. pingvas-prod."
  type        = string
}

variable "cluster_name" {
  description = "EKS cluster name: subnets are tagged for its load balancers."
  type        = string
}

variable "cidr_block" {
  description = "The VPC's IPv4 range; split into public, private (nodes) and database subnets."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Availability zones to spread subnets over (RDS Multi-AZ needs at least 2)."
  type        = number
  default     = 2
  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be between 2 and 3 (one private /18 per zone in a /16)."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, dev) instead of one per zone (prod)."
  type        = bool
  default     = false
}

variable "interface_endpoints" {
  description = "Interface VPC endpoints (service suffixes such as ecr.api, ecr.dkr, sts, secretsmanager) so that traffic stays off the NAT."
  type        = list(string)
  default     = []
}

variable "tags" {
  type    = map(string)
  default = {}
}
