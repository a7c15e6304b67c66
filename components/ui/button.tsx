import type { ButtonHTMLAttributes, Ref } from "react";

export type ButtonVariant = "neutral" | "primary" | "danger" | "strong" | "warning";

const base =
  "rounded-lg border px-3 py-1.5 text-sm font-medium shadow-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-emerald-500 focus-visible:ring-offset-2 disabled:cursor-not-allowed disabled:opacity-50 dark:focus-visible:ring-offset-slate-900";
const variants: Record<ButtonVariant, string> = {
  neutral:
    "border-slate-300 bg-white text-slate-900 hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800",
  // 700 backgrounds: white text on emerald-600 / red-600 is below 4.5:1.
  primary: "border-emerald-800 bg-emerald-700 text-white hover:bg-emerald-800",
  danger: "border-red-800 bg-red-700 text-white hover:bg-red-800",
  strong:
    "border-slate-900 bg-slate-900 text-white hover:bg-slate-700 dark:border-slate-100 dark:bg-slate-100 dark:text-slate-900 dark:hover:bg-slate-300",
  warning: "border-amber-600 bg-amber-500 text-slate-900 hover:bg-amber-600",
};

export function buttonClass(variant: ButtonVariant = "neutral", extra = ""): string {
  return `${base} ${variants[variant]} ${extra}`;
}

export function Button({
  variant = "neutral",
  className = "",
  buttonRef,
  type = "button",
  ...props
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; buttonRef?: Ref<HTMLButtonElement> }) {
  return <button ref={buttonRef} type={type} className={buttonClass(variant, className)} {...props} />;
}
