output "cluster_name" {
  value = aws_eks_cluster.this.name
}

output "cluster_endpoint" {
  value = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  value = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_security_group_id" {
  description = "Security group EKS attaches to the control plane and managed nodes; RDS admits it."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}

output "oidc_provider_arn" {
  value = aws_iam_openid_connect_provider.this.arn
}

output "oidc_issuer" {
  description = "Issuer host and path, without https://, as IRSA trust policies use it."
  value       = replace(aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")
}

output "cluster_autoscaler_role_arn" {
  value = module.cluster_autoscaler_irsa.role_arn
}

output "gpu_node_groups" {
  description = "GPU class → node group name (the worker Deployments' nodeSelector pingvas.io/gpu-class)."
  value       = { for k, g in aws_eks_node_group.gpu : k => g.node_group_name }
}
